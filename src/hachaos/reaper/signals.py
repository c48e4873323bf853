"""Ctrl-C / SIGTERM: revert every active fault and tear the stack down within a deadline."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from types import FrameType

from hachaos.reaper.reap import ReapSummary, reap_run

CLEANUP_DEADLINE_S = 5.0


def install_signal_cleanup(
    callback: Callable[[], object],
    *,
    deadline_s: float = CLEANUP_DEADLINE_S,
    signals: Iterable[signal.Signals] = (signal.SIGINT, signal.SIGTERM),
) -> Callable[[], None]:
    """On SIGINT/SIGTERM run `callback` once, then raise KeyboardInterrupt; if it overruns
    `deadline_s` the process exits (128+signal) and the reaper finishes the job. A second
    signal gets the previous handler. Returns a function restoring the previous handlers."""
    sigs = tuple(signals)
    previous = {s: signal.getsignal(s) for s in sigs}

    def restore() -> None:
        for s, h in previous.items():
            signal.signal(s, h)

    def handler(signum: int, frame: FrameType | None) -> None:
        restore()
        watchdog = threading.Timer(deadline_s, os._exit, args=(128 + signum,))
        watchdog.daemon = True
        watchdog.start()
        try:
            callback()
        finally:
            watchdog.cancel()
        raise KeyboardInterrupt(f"signal {signum}: faults reverted, stack torn down")

    for s in sigs:
        signal.signal(s, handler)
    return restore


def cleanup_runs(run_ids: Callable[[], Iterable[str]]) -> Callable[[], list[ReapSummary]]:
    """A callback for `install_signal_cleanup`: reap the runs `run_ids()` names, in parallel."""

    def cleanup() -> list[ReapSummary]:
        ids = list(run_ids())
        if not ids:
            return []
        with ThreadPoolExecutor(max_workers=len(ids)) as pool:
            return list(pool.map(reap_run, ids))

    return cleanup
