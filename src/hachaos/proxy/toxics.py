"""The toxics: one small class per Toxiproxy toxic type, stdlib only.

A toxic holds its validated attributes and knows how to treat the bytes of one direction of one
connection (a *link*). The engine runs a link's active toxics as a chain, in the order they were
added; each toxic receives a chunk plus a `StageIO` (emit to the next toxic, interruptible sleep,
close the connection, per-link state) and decides what to pass on and when. The timing rules
follow Toxiproxy's `toxics/*.go`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol


@dataclass(slots=True)
class Chunk:
    """Bytes read from one side, stamped with the loop time they arrived (or left a toxic)."""

    data: bytes
    stamp: float


class StageIO(Protocol):
    """What a toxic may do to the link it runs on."""

    state: dict[str, Any]

    def now(self) -> float:
        """The event loop's monotonic time in seconds."""
        ...

    async def emit(self, chunk: Chunk) -> None:
        """Pass a chunk to the next toxic (or the destination socket)."""
        ...

    async def sleep(self, seconds: float, *, interruptible: bool = True) -> None:
        """Wait; an interruptible wait returns early when the link's toxic chain changes."""
        ...

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Any:
        """Schedule `callback`; returns a handle with `cancel()`."""
        ...

    def close(self, *, reset: bool = False) -> None:
        """Close the whole connection, with a TCP RST when `reset`."""
        ...


class BadAttribute(ValueError):
    """An attribute has the wrong type; the message names it and the bad value."""


class Toxic:
    """Base class: validated integer attributes and a pass-through pipe."""

    type_name: ClassVar[str] = ""
    fields: ClassVar[tuple[str, ...]] = ()

    def __init__(self, attributes: Mapping[str, Any] | None = None) -> None:
        self._values = dict.fromkeys(self.fields, 0)
        self.update(attributes or {})

    def update(self, attributes: Mapping[str, Any]) -> None:
        """Merge attributes (unknown keys ignored, like Go's JSON decoding)."""
        for key in self.fields:
            if key in attributes and attributes[key] is not None:
                self._values[key] = _as_int(key, attributes[key])

    def copy(self) -> Toxic:
        """A fresh toxic with the same attributes."""
        return type(self)(self._values)

    def attributes(self) -> dict[str, int]:
        """The attributes in API form."""
        return dict(self._values)

    def __getattr__(self, name: str) -> int:
        values = self.__dict__.get("_values", {})
        if name in values:
            return int(values[name])
        raise AttributeError(name)

    def on_attach(self, io: StageIO) -> None:
        """Called when the toxic starts applying to a link (timers start here)."""

    def on_detach(self, io: StageIO, *, removed: bool) -> None:
        """Called when the toxic stops applying to a link (updated, or `removed`)."""

    async def on_chunk(self, chunk: Chunk, io: StageIO) -> None:
        """Treat one chunk; the default passes it on unchanged."""
        await io.emit(chunk)

    async def on_eof(self, io: StageIO) -> None:
        """Called once when the source side closed, before the close is passed on."""


def _as_int(key: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadAttribute(f"attribute {key} must be an integer, got {value!r}")
    if isinstance(value, float) and not value.is_integer():
        raise BadAttribute(f"attribute {key} must be an integer, got {value!r}")
    return int(value)


class NoopToxic(Toxic):
    """Passes data through unchanged."""

    type_name = "noop"


class LatencyToxic(Toxic):
    """Delays each chunk by `latency` ± `jitter` ms after it arrived (pipelined, like Toxiproxy)."""

    type_name = "latency"
    fields = ("latency", "jitter")

    def delay(self) -> float:
        """One delay draw in seconds: latency + uniform[-jitter, jitter)."""
        jitter = self.jitter
        extra = random.randrange(-jitter, jitter) if jitter > 0 else 0
        return (self.latency + extra) / 1000.0

    async def on_chunk(self, chunk: Chunk, io: StageIO) -> None:
        """Hold the chunk until its arrival time plus the delay."""
        await io.sleep(chunk.stamp + self.delay() - io.now())
        chunk.stamp = io.now()
        await io.emit(chunk)


class BandwidthToxic(Toxic):
    """Limits the rate to `rate` KB/s (1 KB = 1000 bytes), sending big chunks in 100 ms slices."""

    type_name = "bandwidth"
    fields = ("rate",)

    async def on_chunk(self, chunk: Chunk, io: StageIO) -> None:
        """Emit the chunk no faster than the rate, keeping a per-link send deadline."""
        rate = self.rate
        if rate <= 0:
            await io.emit(chunk)
            return
        step = rate * 100
        data = chunk.data
        for start in range(0, len(data), step):
            piece = data[start : start + step]
            due = max(io.now(), io.state.get("due", 0.0)) + len(piece) / (rate * 1000.0)
            io.state["due"] = due
            await io.sleep(due - io.now())
            await io.emit(Chunk(piece, chunk.stamp))


class SlowCloseToxic(Toxic):
    """Delays passing on the close of the connection by `delay` ms."""

    type_name = "slow_close"
    fields = ("delay",)

    async def on_eof(self, io: StageIO) -> None:
        """Wait before the close goes through."""
        await io.sleep(self.delay / 1000.0)


class TimeoutToxic(Toxic):
    """Drops all data; closes the connection after `timeout` ms without data (0 = never).

    Removing the toxic closes the connections it was stalling (Toxiproxy's Cleanup): the dropped
    bytes would leave the stream corrupt.
    """

    type_name = "timeout"
    fields = ("timeout",)

    def on_attach(self, io: StageIO) -> None:
        """Start the close timer."""
        self._arm(io)

    def on_detach(self, io: StageIO, *, removed: bool) -> None:
        """Stop the timer; close the connection when the toxic is removed."""
        handle = io.state.pop("timer", None)
        if handle is not None:
            handle.cancel()
        if removed:
            io.close()

    async def on_chunk(self, chunk: Chunk, io: StageIO) -> None:
        """Drop the chunk and restart the timer, as each Go select loop does."""
        self._arm(io)

    def _arm(self, io: StageIO) -> None:
        handle = io.state.pop("timer", None)
        if handle is not None:
            handle.cancel()
        if self.timeout > 0:
            io.state["timer"] = io.call_later(self.timeout / 1000.0, io.close)


class ResetPeerToxic(Toxic):
    """On the first data, waits `timeout` ms then resets the connection (RST, SO_LINGER 0)."""

    type_name = "reset_peer"
    fields = ("timeout",)

    async def on_chunk(self, chunk: Chunk, io: StageIO) -> None:
        """Drop the chunk, wait, reset."""
        if io.state.get("resetting"):
            return
        io.state["resetting"] = True
        await io.sleep(self.timeout / 1000.0, interruptible=False)
        io.close(reset=True)


class SlicerToxic(Toxic):
    """Slices chunks into pieces of about `average_size` ± `size_variation` bytes.

    Pieces are written separately, `delay` microseconds apart.
    """

    type_name = "slicer"
    fields = ("average_size", "size_variation", "delay")

    def offsets(self, size: int) -> list[tuple[int, int]]:
        """Piece boundaries for a chunk of `size` bytes (Toxiproxy's halving algorithm)."""
        average, variation = max(self.average_size, 1), max(self.size_variation, 0)
        pieces: list[tuple[int, int]] = []
        todo = [(0, size)]
        while todo:
            start, end = todo.pop()
            if (end - start) - average <= variation or end - start <= 1:
                pieces.append((start, end))
                continue
            jitter = random.randrange(-variation, variation) if variation else 0
            mid = min(max(start + (end - start) // 2 + jitter, start + 1), end - 1)
            todo.extend(((mid, end), (start, mid)))
        return pieces

    async def on_chunk(self, chunk: Chunk, io: StageIO) -> None:
        """Emit the pieces with the delay between them."""
        for index, (start, end) in enumerate(self.offsets(len(chunk.data))):
            if index:
                await io.sleep(self.delay / 1_000_000.0)
            await io.emit(Chunk(chunk.data[start:end], chunk.stamp))


class LimitDataToxic(Toxic):
    """Closes the connection once `bytes` bytes have passed in this direction."""

    type_name = "limit_data"
    fields = ("bytes",)

    async def on_chunk(self, chunk: Chunk, io: StageIO) -> None:
        """Pass on what still fits under the limit, then close."""
        sent = int(io.state.get("sent", 0))
        remaining = max(self.bytes - sent, 0)
        data = chunk.data[:remaining]
        if data:
            io.state["sent"] = sent + len(data)
            await io.emit(Chunk(data, chunk.stamp))
        if self.bytes - int(io.state.get("sent", 0)) <= 0:
            io.close()


REGISTRY: dict[str, type[Toxic]] = {
    cls.type_name: cls
    for cls in (
        NoopToxic,
        LatencyToxic,
        BandwidthToxic,
        SlowCloseToxic,
        TimeoutToxic,
        ResetPeerToxic,
        SlicerToxic,
        LimitDataToxic,
    )
}


def new_toxic(type_name: str, attributes: Mapping[str, Any] | None = None) -> Toxic:
    """A toxic of a registered type; KeyError for an unknown type, BadAttribute for bad values."""
    return REGISTRY[type_name](attributes)
