"""The acknowledged-writes ledger, generic part: unique keys written on a fixed schedule through
the real client path, then one complete read-back after healing.

A store plugs in two things: a `writer` (a Probe whose attempts write one unique key each and
never raise) and `read_back` (every ledger key present now, one attempt, raising on failure).
Scheduling reuses the probe runner; the read-back is retried with one deadline until the healed
cluster answers, then recorded as the history's FinalRead for `checks.data.check_set`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.history import FinalRead, History
from hachaos.probes.base import Probe
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


class Ledger:
    """Runs a store's writer on a schedule and records the final read into the history."""

    def __init__(
        self, store: LedgerStore, history: History, interval_s: float, clock: Clock = REAL_CLOCK
    ) -> None:
        self.store = store
        self._history = history
        self._interval_s = interval_s
        self._clock = clock
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

    @contextmanager
    def running(self) -> Iterator[Ledger]:
        """Write on schedule for the duration of the block (preparing first if needed)."""
        self.prepare()
        writer, self._writer = self._writer, None
        assert writer is not None
        runner = ProbeRunner(writer, self._history, self._interval_s, self._clock)
        with runner:
            try:
                yield self
            finally:
                self.writes = runner.attempts

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
