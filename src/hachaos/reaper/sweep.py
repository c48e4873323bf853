"""At session start: clean up runs whose runner died and whose reaper did not finish the job."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from hachaos.reaper.journal import EntryKind, Journal, runs_dir
from hachaos.reaper.reap import ReapSummary, reap_run

if TYPE_CHECKING:
    from hachaos.backends.base import Backend


@dataclass(frozen=True)
class SweepReport:
    """What a sweep found and removed."""

    reaped: tuple[ReapSummary, ...] = ()
    live: tuple[str, ...] = ()  # runs whose runner still runs (left alone)
    unmanaged: tuple[str, ...] = ()  # labelled runs with no journal here (left alone)

    @property
    def found_leftovers(self) -> bool:
        """True when anything was cleaned up: worth a warning."""
        return any(s.reverted or s.failed or _removed(s) for s in self.reaped)

    def warning(self) -> str:
        """One warning line per reaped run, or '' when nothing was left behind."""
        lines = [f"hachaos: swept leftovers of a dead run: {s.line()}" for s in self.reaped]
        return "\n".join(lines) if self.found_leftovers else ""


def _removed(s: ReapSummary) -> int:
    return s.removed.containers + s.removed.networks + s.removed.volumes if s.removed else 0


def owned(journal: Journal) -> bool:
    """Whether a runner claimed the run's resources (so a sweep may remove them)."""
    return any(e.kind is EntryKind.RUN for e in journal.entries())


def runner_dead(journal: Journal) -> bool:
    """True only when the journal's last writer ran on this host and is gone."""
    writer = journal.last_writer()
    return writer is not None and writer.alive() is False


def sweep_leftovers(
    backend: Backend | None = None,
    root: Path | None = None,
    *,
    exclude: Iterable[str] = (),
    reap: Callable[..., ReapSummary] | None = None,
) -> SweepReport:
    """Reap every journalled run whose runner is dead; report live runs, and runs `backend`
    still holds resources for without a journal here (unmanaged).

    A run is torn down only if a runner claimed it (`start_reaper` / `Journal.mark_run`);
    otherwise (faults injected into a stack someone keeps up) only its faults are reverted.
    Each run is reaped through the backend its journal names."""
    held = backend.run_ids() if backend is not None else set()  # first: an absent engine raises
    root = root or runs_dir()
    skip = set(exclude)
    reap = reap or reap_run
    reaped, live = [], []
    journalled = set()
    for path in sorted(root.glob("*/journal.jsonl")) if root.is_dir() else []:
        run_id = path.parent.name
        journalled.add(run_id)
        journal = Journal(path, run_id)
        if run_id in skip or not runner_dead(journal):
            live.append(run_id)
            continue
        summary = reap(run_id, journal, teardown=owned(journal))
        reaped.append(summary)
        if summary.ok:
            shutil.rmtree(path.parent, ignore_errors=True)
    unmanaged = sorted(held - journalled - skip)
    return SweepReport(tuple(reaped), tuple(live), tuple(unmanaged))
