"""`python -m hachaos.reaper --run RUN --journal FILE --watch-pid PID [--no-teardown]`."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from hachaos.reaper.journal import Journal
from hachaos.reaper.process import forget_run, wait_for_runner
from hachaos.reaper.reap import reap_run
from hachaos.tls.run_files import forget_run_tls
from hachaos.usage import OneLineParser


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="python -m hachaos.reaper", description=__doc__)
    p.add_argument("--run", required=True, help="the run id to clean up")
    p.add_argument("--journal", type=Path, required=True, help="the run's journal file")
    p.add_argument("--watch-pid", type=int, required=True, help="the runner's pid")
    p.add_argument("--no-teardown", action="store_true", help="revert faults only")
    return p


def _log(msg: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} reaper: {msg}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Wait for the runner; on its death revert and tear down; on stand-down tidy up."""
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C meant for the runner
    journal = Journal(args.journal, args.run)
    _log(f"watching pid {args.watch_pid} for run {args.run}")
    why = wait_for_runner(args.watch_pid, sys.stdin.buffer)
    if why == "stand-down":
        summary = reap_run(args.run, journal, teardown=False) if journal.pending() else None
        if summary is None or summary.ok:
            forget_run(journal)
        _log("stand-down" + (f": {summary.line()}" if summary else ""))
        return 0 if summary is None or summary.ok else 1
    _log(f"runner {args.watch_pid} died: cleaning up")
    summary = reap_run(args.run, journal, teardown=not args.no_teardown)
    if not args.no_teardown:  # the nodes are gone: so goes the run's TLS key
        forget_run_tls(args.run, journal.path.parent.parent)
    for line in (*summary.reverted, *summary.failed):
        _log(f"  {line}")
    _log(summary.line())
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
