"""Runs a probe at a fixed rate in a thread, appending every attempt to a history."""

from __future__ import annotations

import threading
from types import TracebackType

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.history import History, Op
from hachaos.probes.base import Probe


class ProbeRunner:
    """Fixed-rate scheduler: attempt n starts at t0 + n*interval, or at once if running late."""

    def __init__(
        self, probe: Probe, history: History, interval_s: float, clock: Clock = REAL_CLOCK
    ):
        self._probe = probe
        self._history = history
        self._interval_ns = int(interval_s * 1e9)
        self._clock = clock
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, name=f"probe-{probe.process}", daemon=True
        )
        self.attempts = 0

    def _loop(self) -> None:
        next_ns = self._clock.now_ns()
        seq = 0
        while not self._stop.is_set():
            start = self._clock.now_ns()
            result = self._probe.attempt(seq)
            end = self._clock.now_ns()
            self._history.add_op(
                Op(
                    self._probe.process,
                    self._probe.kind,
                    start,
                    end,
                    result.outcome,
                    key=result.key,
                    error=result.error,
                    value=result.value,
                )
            )
            seq += 1
            self.attempts = seq
            next_ns = max(next_ns + self._interval_ns, end)
            self._stop.wait(max(0.0, (next_ns - self._clock.now_ns()) / 1e9))

    def start(self) -> ProbeRunner:
        """Begin probing."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop after the attempt in flight and release the probe's connections."""
        self._stop.set()
        self._thread.join(timeout=30)
        self._probe.close()

    def __enter__(self) -> ProbeRunner:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
