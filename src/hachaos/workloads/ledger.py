"""The acknowledged-writes ledger, generic part: unique keys written on a fixed schedule through
the real client path, then one complete read-back after healing.

A store plugs in two things: a `writer` (a Probe whose attempts write one unique key each and
never raise) and `read_back` (every ledger key present now, one attempt, raising on failure).
Scheduling reuses the probe runner: `writers` concurrent writers, each with its own client and
thread, writer i of n writing sequence numbers i, i+n, i+2n, ... so keys stay unique. The
read-back is retried with one deadline until the healed cluster answers, then recorded as the
history's FinalRead for `checks.data.check_set`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Protocol

from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.history import FinalRead, History
from hachaos.probes.base import Attempt, Probe
from hachaos.probes.runner import ProbeRunner

LEDGER_PROCESS = "ledger"


def ledger_prefix(run_prefix: str) -> str:
    """The key prefix of a run's ledger, e.g. `hachaos:hc-1234abcd:ledger`."""
    return f"{run_prefix}:{LEDGER_PROCESS}"


def ledger_key(prefix: str, seq: int) -> str:
    """The unique key of write number `seq`."""
    return f"{prefix}:{seq}"


class LedgerStore(Protocol):
    """Where a ledger writes its keys and reads them back."""

    def writer(self) -> Probe:
        """A fresh write client: attempt(seq) writes `ledger_key(prefix, seq)` once."""
        ...

    def read_back(self) -> tuple[str, ...]:
        """Every ledger key present now, in one attempt; raises when the read fails."""
        ...


class _Interleaved:
    """Writer `index` of `count`: attempt n writes sequence number n * count + index."""

    def __init__(self, inner: Probe, index: int, count: int) -> None:
        self._inner = inner
        self._index = index
        self._count = count
        self.process = inner.process
        self.kind = inner.kind

    def attempt(self, seq: int) -> Attempt:
        """One write of this writer's next unique sequence number."""
        return self._inner.attempt(seq * self._count + self._index)

    def close(self) -> None:
        """Release the writer's client."""
        self._inner.close()


class Ledger:
    """Runs `writers` concurrent writers of a store, each every `interval_s` (0: as fast as the
    system answers), and records the final read into the history."""

    def __init__(
        self,
        store: LedgerStore,
        history: History,
        interval_s: float,
        clock: Clock = REAL_CLOCK,
        writers: int = 1,
    ) -> None:
        if writers < 1:
            raise ValueError(f"writers must be >= 1, got {writers!r}")
        self.store = store
        self._history = history
        self._interval_s = interval_s
        self._clock = clock
        self._writers = writers
        self._writer: Probe | None = None
        self.writes = 0
        self.read_error: str | None = None  # why the final read did not complete

    def prepare(self) -> None:
        """Set the store up for writing now (e.g. declare and purge a queue), before any
        other client of the run starts, so set-up never races traffic; raises on failure."""
        if self._writer is None:
            self._writer = self.store.writer()

    def close(self) -> None:
        """Release a prepared writer that never ran (a run releases its own)."""
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    def _runner(self, index: int, writer: Probe) -> ProbeRunner:
        interleaved = _Interleaved(writer, index, self._writers)
        return ProbeRunner(interleaved, self._history, self._interval_s, self._clock)

    @contextmanager
    def running(self) -> Iterator[Ledger]:
        """Write on schedule for the duration of the block (preparing first if needed): the
        prepared writer is writer 0, the others get clients of their own."""
        self.prepare()
        first, self._writer = self._writer, None
        assert first is not None
        writers = [first]
        try:
            writers += [self.store.writer() for _ in range(1, self._writers)]
        except BaseException:
            for writer in writers:
                writer.close()
            raise
        runners = [self._runner(i, w) for i, w in enumerate(writers)]
        with ExitStack() as stack:
            for runner in runners:
                stack.enter_context(runner)
            try:
                yield self
            finally:
                stack.close()
                self.writes = sum(r.attempts for r in runners)

    def final_read(self, timeout_s: float, interval_s: float = 0.5) -> FinalRead:
        """Read everything back once the cluster answers; an incomplete read past the deadline."""
        try:
            keys = wait_until(
                self.store.read_back,
                lambda _: True,
                what="ledger final read",
                timeout_s=timeout_s,
                interval_s=interval_s,
                clock=self._clock,
            )
            read = FinalRead(self._clock.now_ns(), tuple(keys), complete=True)
        except DeadlineExceeded as exc:
            self.read_error = str(exc)  # the last attempt's reason: phase, node, hint
            read = FinalRead(self._clock.now_ns(), (), complete=False)
        self._history.add_final_read(read)
        return read
