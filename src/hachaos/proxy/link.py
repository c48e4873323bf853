"""One direction of a proxied connection (a link) and the toxic chain that may run on it.

While a link has no active toxic, `Side.data_received` writes straight to the destination
transport (the fast path). As soon as a toxic applies, a `Runner` task takes over: chunks are
stamped with their arrival time, queued and passed through the chain in order; once the chain is
empty and the queue drained, the runner exits and the link is back on the fast path. Adding,
updating or removing a toxic interrupts in-flight interruptible sleeps, as Toxiproxy's interrupt.
"""

from __future__ import annotations

import asyncio
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hachaos.proxy.models import Stream
from hachaos.proxy.toxics import Chunk, Toxic

if TYPE_CHECKING:
    from hachaos.proxy.engine import Connection, Side

WRITE_HIGH_WATER = 4 * 1024 * 1024
QUEUE_HIGH_WATER = 1024 * 1024
QUEUE_LOW_WATER = 256 * 1024

# Reasons a link's source socket is not being read.
CONNECTING, DST_FULL, QUEUE_FULL, DEAD = 1, 2, 4, 8


@dataclass(eq=False)
class ToxicSpec:
    """A toxic as configured on a proxy: shared by every link it applies to."""

    name: str
    type: str
    stream: str
    direction: Stream
    toxicity: float
    toxic: Toxic


@dataclass(eq=False)
class Attached:
    """A toxic on one link: whether its toxicity roll said it applies, and its per-link state."""

    spec: ToxicSpec
    applies: bool
    state: dict[str, Any] = field(default_factory=dict)


class StageCall:
    """The `StageIO` a toxic sees while treating a chunk (or on attach/detach) on one link."""

    __slots__ = ("_emit", "_interrupt", "_link", "state")

    def __init__(
        self,
        link: Link,
        attached: Attached,
        emit: Callable[[Chunk], Any] | None = None,
        interrupt: asyncio.Future[None] | None = None,
    ) -> None:
        self._link = link
        self._emit = emit
        self._interrupt = interrupt if interrupt is not None else link.interrupt
        self.state = attached.state

    def now(self) -> float:
        """The loop's clock."""
        return self._link.loop.time()

    async def emit(self, chunk: Chunk) -> None:
        """Pass the chunk to the next toxic in the chain, or to the destination."""
        if self._emit is not None:
            await self._emit(chunk)

    async def sleep(self, seconds: float, *, interruptible: bool = True) -> None:
        """Wait `seconds`; an interruptible wait ends when the link's toxics change."""
        if seconds <= 0:
            return
        if not interruptible:
            await asyncio.sleep(seconds)
        elif not self._interrupt.done():
            await asyncio.wait((self._interrupt,), timeout=seconds)

    def call_later(self, seconds: float, callback: Callable[[], None]) -> asyncio.TimerHandle:
        """Schedule a callback on the loop."""
        return self._link.loop.call_later(seconds, callback)

    def close(self, *, reset: bool = False) -> None:
        """Close the connection this link belongs to."""
        self._link.conn.close(reset=reset)


class Link:
    """One direction of one connection, with its toxics."""

    def __init__(self, conn: Connection, direction: Stream, src: Side, dst: Side) -> None:
        self.conn = conn
        self.loop = conn.loop
        self.direction = direction
        self.src, self.dst = src, dst
        src.out, dst.into = self, self
        self._early: list[bytes] = []
        self.write: Callable[[bytes], None] = self._early.append
        self.runner: Runner | None = None
        self.toxics: dict[str, Attached] = {}
        self.interrupt: asyncio.Future[None] = self.loop.create_future()
        self.blocked = 0
        self.dst_full = False
        self._drained: asyncio.Future[None] | None = None
        self.done = False

    # -- wiring and flow control -------------------------------------------------------------
    def wire(self) -> None:
        """Both sockets are connected: writes go straight to the destination transport."""
        transport = self.dst.transport
        assert transport is not None
        self.write = transport.write
        if self._early:  # read before the destination was connected: deliver, in order
            transport.write(b"".join(self._early))
            self._early.clear()

    def block(self, reason: int) -> None:
        """Stop reading the source for `reason`."""
        if not self.blocked and self.src.transport is not None:
            self.src.transport.pause_reading()
        self.blocked |= reason

    def unblock(self, reason: int) -> None:
        """Drop `reason`; resume reading when no reason is left."""
        was = self.blocked
        self.blocked &= ~reason
        if was and not self.blocked and self.src.transport is not None:
            self.src.transport.resume_reading()

    def set_dst_full(self, full: bool) -> None:
        """Flow control from the destination transport."""
        self.dst_full = full
        if full:
            self.block(DST_FULL)
            return
        self.unblock(DST_FULL)
        if self._drained is not None and not self._drained.done():
            self._drained.set_result(None)

    async def sink(self, data: bytes) -> None:
        """Write toxic output to the destination, honouring its flow control."""
        while self.dst_full and not self.conn.closed:
            self._drained = self.loop.create_future()
            await self._drained
        transport = self.dst.transport
        if transport is not None and not transport.is_closing():
            transport.write(data)

    # -- end of stream -----------------------------------------------------------------------
    def feed_eof(self) -> None:
        """The source finished sending: drain the chain, then pass the half-close on."""
        if self.done:
            return
        if self.runner is None:
            self.finish()
        else:
            self.runner.push_eof()

    def finish(self) -> None:
        """Pass the end of stream to the destination; the connection closes when both are done."""
        if self.done:
            return
        self.done = True
        transport = self.dst.transport
        if transport is not None and not transport.is_closing() and transport.can_write_eof():
            transport.write_eof()
        self.conn.link_done()

    def drop(self) -> None:
        """The destination is gone: nothing more can be delivered on this link."""
        self.done = True
        self.block(DEAD)
        if self.runner is not None:
            self.runner.cancel()

    # -- toxics ------------------------------------------------------------------------------
    def stages(self) -> list[Attached]:
        """The toxics that currently apply, in chain order."""
        return [a for a in self.toxics.values() if a.applies]

    def attach(self, spec: ToxicSpec, state: dict[str, Any] | None = None) -> None:
        """Start applying a toxic (if its toxicity roll says so)."""
        attached = Attached(spec, random.random() < spec.toxicity, state or {})
        self.toxics[spec.name] = attached
        if attached.applies:
            spec.toxic.on_attach(StageCall(self, attached))
        self._changed()

    def update(self, spec: ToxicSpec) -> None:
        """Replace a toxic's settings, keeping its per-link state; toxicity is rolled again."""
        old = self.toxics.pop(spec.name, None)
        if old is not None and old.applies:
            old.spec.toxic.on_detach(StageCall(self, old), removed=False)
        self.attach(spec, old.state if old is not None else None)

    def detach(self, name: str) -> None:
        """Stop applying a toxic."""
        old = self.toxics.pop(name, None)
        if old is not None and old.applies:
            old.spec.toxic.on_detach(StageCall(self, old), removed=True)
        self._changed()

    def _changed(self) -> None:
        old, self.interrupt = self.interrupt, self.loop.create_future()
        old.set_result(None)
        if self.runner is None and self.stages() and not self.done:
            self.runner = Runner(self)
        elif self.runner is not None:
            self.runner.wake()

    async def process(self, chunk: Chunk) -> None:
        """Pass one chunk through the current chain."""
        await self._through(self.stages(), 0, chunk, self.interrupt)

    async def _through(
        self, stages: list[Attached], index: int, chunk: Chunk, interrupt: asyncio.Future[None]
    ) -> None:
        if index == len(stages):
            await self.sink(chunk.data)
            return
        attached = stages[index]

        async def emit(out: Chunk) -> None:
            await self._through(stages, index + 1, out, interrupt)

        await attached.spec.toxic.on_chunk(chunk, StageCall(self, attached, emit, interrupt))

    async def process_eof(self) -> None:
        """Let each toxic see the end of stream (slow_close waits here), then finish."""
        for attached in self.stages():
            await attached.spec.toxic.on_eof(StageCall(self, attached))
        self.finish()

    def close_toxics(self) -> None:
        """Stop timers of every toxic (the connection is closing)."""
        for attached in list(self.toxics.values()):
            if attached.applies:
                attached.spec.toxic.on_detach(StageCall(self, attached), removed=False)
        self.toxics.clear()
        if self.runner is not None:
            self.runner.cancel()


class Runner:
    """The task that feeds a link's queued chunks through its toxic chain, in order."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.queue: deque[Chunk] = deque()
        self.queued = 0
        self.eof = False
        self._wakeup: asyncio.Future[None] | None = None
        self.task = link.loop.create_task(self.run())

    def push(self, data: bytes) -> None:
        """Queue bytes read from the source."""
        self.queue.append(Chunk(data, self.link.loop.time()))
        self.queued += len(data)
        if self.queued > QUEUE_HIGH_WATER:
            self.link.block(QUEUE_FULL)
        self.wake()

    def push_eof(self) -> None:
        """Queue the end of stream."""
        self.eof = True
        self.wake()

    def wake(self) -> None:
        """Wake the task if it waits for work."""
        if self._wakeup is not None and not self._wakeup.done():
            self._wakeup.set_result(None)

    def cancel(self) -> None:
        """Stop for good (the connection is closing)."""
        self.task.cancel()
        if self.link.runner is self:
            self.link.runner = None

    async def run(self) -> None:
        """Process until the chain is empty and the queue drained, or end of stream."""
        link = self.link
        while True:
            if self.queue:
                chunk = self.queue.popleft()
                self.queued -= len(chunk.data)
                if self.queued <= QUEUE_LOW_WATER:
                    link.unblock(QUEUE_FULL)
                await link.process(chunk)
            elif self.eof:
                link.runner = None
                await link.process_eof()
                return
            elif not link.stages():
                link.runner = None
                return
            else:
                self._wakeup = link.loop.create_future()
                await self._wakeup
                self._wakeup = None
