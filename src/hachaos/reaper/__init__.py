"""Crash safety: the fault journal, the reaper process, leftover sweeps, signal cleanup.

What a runner (e.g. the pytest plugin) calls:
    handle = start_reaper(run_id, backend=backend.name)  # before backend.up(); one per run
    ... faults journal themselves (FaultContext.journal, default Journal.for_run(run_id)) ...
    handle.stand_down()                      # after a clean revert + backend.down()
    report = sweep_leftovers(backend)        # at session start; warn with report.warning()
    restore = install_signal_cleanup(cleanup_runs(lambda: active_run_ids))
"""

from hachaos.reaper.journal import Journal, journal_path, runs_dir
from hachaos.reaper.process import ReaperHandle, start_reaper
from hachaos.reaper.reap import ReapSummary, reap_run
from hachaos.reaper.signals import cleanup_runs, install_signal_cleanup
from hachaos.reaper.sweep import SweepReport, sweep_leftovers

__all__ = [
    "Journal",
    "ReapSummary",
    "ReaperHandle",
    "SweepReport",
    "cleanup_runs",
    "install_signal_cleanup",
    "journal_path",
    "reap_run",
    "runs_dir",
    "start_reaper",
    "sweep_leftovers",
]
