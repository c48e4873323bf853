"""TCP forwarding for the embedded Toxiproxy: listeners, connections, links and toxic chains.

Stdlib asyncio only. Each accepted client gets a `Connection` with two sockets (`Side`s) and two
one-way `Link`s: upstream (client→server) and downstream (server→client), as in Toxiproxy.

The fast path is what makes the proxy cheap: while a link has no active toxic, `data_received`
hands the bytes straight to the other socket's transport (which sends at once when its buffer is
empty), with transport flow control pausing the reading side. As soon as a toxic applies to the
link, a `Runner` task takes over: chunks are stamped with their arrival time, queued, and passed
through the toxic chain in order; once the chain is empty and the queue drained, the runner exits
and the link is back on the fast path. Toxics can be added, updated and removed on live links;
a change interrupts the in-flight sleeps (the chunk then goes on without further delay), as
Toxiproxy's interrupt does.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from hachaos.proxy.models import Stream, join_hostport, split_hostport
from hachaos.proxy.toxics import Chunk, Toxic

WRITE_HIGH_WATER = 4 * 1024 * 1024
QUEUE_HIGH_WATER = 1024 * 1024
QUEUE_LOW_WATER = 256 * 1024

# Reasons a link's source socket is not being read.
_CONNECTING, _DST_FULL, _QUEUE_FULL, _DEAD = 1, 2, 4, 8


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


class Side(asyncio.Protocol):
    """One socket of a proxied connection; `out` is the link its bytes feed, `into` writes to it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.transport: asyncio.Transport | None = None
        self.out: Link
        self.into: Link

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport; big buffers keep bulk transfers cheap."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)

    def data_received(self, data: bytes) -> None:
        """The hot path: hand the bytes to the link."""
        link = self.out
        if link.runner is None:
            link.write(data)
        else:
            link.runner.push(data)

    def eof_received(self) -> bool:
        """The peer shut down its sending side: pass the half-close on, keep the socket."""
        self.out.feed_eof()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        """The socket is gone."""
        self.conn.side_lost(self)

    def pause_writing(self) -> None:
        """Our send buffer is full: stop reading the link's source."""
        self.into.set_dst_full(True)

    def resume_writing(self) -> None:
        """Our send buffer drained."""
        self.into.set_dst_full(False)


class ClientSide(Side):
    """The accepted socket; it starts the upstream dial."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Accepted: register the connection and dial upstream while not reading the client."""
        super().connection_made(transport)
        self.conn.client_connected()


class Link:
    """One direction of one connection, with its toxics."""

    def __init__(self, conn: Connection, direction: Stream, src: Side, dst: Side) -> None:
        self.conn = conn
        self.loop = conn.loop
        self.direction = direction
        self.src, self.dst = src, dst
        src.out, dst.into = self, self
        self.write: Callable[[bytes], None] = _discard
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
        assert self.dst.transport is not None
        self.write = self.dst.transport.write

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
            self.block(_DST_FULL)
            return
        self.unblock(_DST_FULL)
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
        self.block(_DEAD)
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


def _discard(data: bytes) -> None:
    """Writes before the destination is wired are dropped (the source is not read then)."""


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
            self.link.block(_QUEUE_FULL)
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
                    link.unblock(_QUEUE_FULL)
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


class Connection:
    """A client socket, its upstream socket and the two links between them."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.loop = listener.loop
        self.client: Side = ClientSide(self)
        self.server = Side(self)
        self.links = {
            Stream.UPSTREAM: Link(self, Stream.UPSTREAM, self.client, self.server),
            Stream.DOWNSTREAM: Link(self, Stream.DOWNSTREAM, self.server, self.client),
        }
        self.closed = False
        self._dial: asyncio.Task[None] | None = None

    def client_connected(self) -> None:
        """Accepted: do not read the client until the upstream socket is there."""
        self.links[Stream.UPSTREAM].block(_CONNECTING)
        self.listener.connections.add(self)
        self._dial = self.loop.create_task(self.dial())

    async def dial(self) -> None:
        """Connect upstream; on failure close the client, as Toxiproxy does."""
        host, port = split_hostport(self.listener.upstream)
        try:
            await self.loop.create_connection(lambda: self.server, host, port)
        except OSError:
            self.close()
            return
        if self.closed:
            return
        for link in self.links.values():
            link.wire()
        for spec in self.listener.toxics():
            link = self.links[spec.direction]
            if spec.name not in link.toxics:  # not already attached while dialling
                link.attach(spec)
        self.links[Stream.UPSTREAM].unblock(_CONNECTING)

    def link_done(self) -> None:
        """Both directions ended: close both sockets."""
        if all(link.done for link in self.links.values()):
            self.close()

    def side_lost(self, side: Side) -> None:
        """A socket closed: drop what was headed to it; drain what came from it, then close."""
        if self.closed:
            return
        side.transport = None
        side.into.drop()
        side.out.feed_eof()
        self.link_done()

    def close(self, *, reset: bool = False, abort: bool = False) -> None:
        """Close both sockets: gracefully (flushing), or abort, or with a TCP RST."""
        if self.closed:
            return
        self.closed = True
        self.listener.connections.discard(self)
        if self._dial is not None and not self._dial.done():
            self._dial.cancel()
        for link in self.links.values():
            link.close_toxics()
        for side in (self.client, self.server):
            _close_transport(side.transport, reset=reset, abort=abort)


def _close_transport(transport: asyncio.Transport | None, *, reset: bool, abort: bool) -> None:
    if transport is None or transport.is_closing():
        return
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    elif abort:
        transport.abort()
    else:
        transport.close()


class ListenError(OSError):
    """The proxy could not listen; the message is Toxiproxy's (`listen tcp ADDR: bind: ...`)."""


def bind(listen: str) -> socket.socket:
    """A non-blocking listening socket for `host:port` (port 0 picks a free one)."""
    try:
        host, port = split_hostport(listen)
        infos = socket.getaddrinfo(
            host or "0.0.0.0", port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (ValueError, socket.gaierror) as exc:
        raise ListenError(f"listen tcp {listen}: {exc}") from exc
    family, _, _, _, address = sorted(infos, key=lambda info: info[0] != socket.AF_INET)[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        reason = (exc.strerror or str(exc)).lower()
        raise ListenError(f"listen tcp {listen}: bind: {reason}") from exc
    sock.setblocking(False)
    return sock


class Listener:
    """The accepting half of one proxy; owns its live connections."""

    def __init__(self, upstream: str, toxics: Callable[[], Iterable[ToxicSpec]]) -> None:
        self.loop = asyncio.get_running_loop()
        self.upstream = upstream
        self.toxics = toxics
        self.connections: set[Connection] = set()
        self._server: asyncio.Server | None = None

    async def start(self, listen: str) -> str:
        """Listen on `listen`; returns the real address (`host:port`)."""
        sock = bind(listen)
        self._server = await self.loop.create_server(
            lambda: Connection(self).client, sock=sock, backlog=1024
        )
        host, port = sock.getsockname()[:2]
        return join_hostport(host, port)

    def stop(self) -> None:
        """Stop listening and drop every live connection (Toxiproxy's link "down")."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for conn in list(self.connections):
            conn.close(abort=True)

    def links(self, direction: Stream) -> list[Link]:
        """The live links of one direction."""
        return [c.links[direction] for c in self.connections if not c.closed]
