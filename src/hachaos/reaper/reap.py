"""Cleaning up one run without its runner: revert journalled faults, then remove resources."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hachaos.backends import DEFAULT_BACKEND
from hachaos.backends.base import ReapReport
from hachaos.faults.rules import run_tag_prefix
from hachaos.reaper.actions import Undoer
from hachaos.reaper.journal import Journal
from hachaos.reaper.links import sweep_toxics
from hachaos.reaper.undo import EnableProxy, RemoveToxic

Teardown = Callable[[str], ReapReport]


@dataclass(frozen=True)
class ReapSummary:
    """What cleaning up one run did."""

    run_id: str
    reverted: tuple[str, ...] = ()  # "fault_id: what was done"
    failed: tuple[str, ...] = ()  # "fault_id: why"
    toxics_swept: int = 0
    removed: ReapReport | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Every pending fault was reverted."""
        return not self.failed

    def line(self) -> str:
        """One line with counts, e.g. for `hachaos reap`."""
        r = self.removed
        res = (
            f", {r.containers} containers, {r.networks} networks, {r.volumes} volumes" if r else ""
        )
        bad = f", {len(self.failed)} FAILED" if self.failed else ""
        swept = f", {self.toxics_swept} stray toxics" if self.toxics_swept else ""
        return (
            f"{self.run_id}: {len(self.reverted)} faults reverted{bad}{swept}{res} "
            f"in {self.seconds:.1f}s"
        )


@dataclass
class Reaper:
    """Reverts a run's pending faults from its journal and (optionally) tears it down."""

    journal: Journal
    undoer: Undoer
    teardown: Teardown | None = None
    _log: list[str] = field(default_factory=list)

    def revert_pending(self) -> tuple[list[str], list[str]]:
        """Undo every begun-not-undone fault, newest first; each success is journalled."""
        done, failed = [], []
        for entry in self.journal.pending():
            assert entry.undo is not None
            try:
                what = self.undoer.undo(entry.undo)
            except Exception as exc:
                failed.append(f"{entry.fault_id}: {type(exc).__name__}: {exc}")
                continue
            self.journal.undone(entry.fault_id)
            done.append(f"{entry.fault_id}: {what}")
        return done, failed

    def _toxiproxy_urls(self) -> set[str]:
        return {
            e.undo.url
            for e in self.journal.entries()
            if isinstance(e.undo, RemoveToxic | EnableProxy)
        }

    def run(self) -> ReapSummary:
        """Revert, sweep stray toxics of the run, tear down; never raises for one bad record."""
        t0 = time.monotonic()
        done, failed = self.revert_pending()
        prefix = run_tag_prefix(self.journal.run_id)
        swept = sum(sweep_toxics(url, prefix) for url in sorted(self._toxiproxy_urls()))
        removed = self.teardown(self.journal.run_id) if self.teardown else None
        if self.teardown:
            self.journal.reaped()
        return ReapSummary(
            self.journal.run_id,
            tuple(done),
            tuple(failed),
            swept,
            removed,
            time.monotonic() - t0,
        )


def reap_run(
    run_id: str,
    journal: Journal | None = None,
    *,
    teardown: bool = True,
    backend: str | None = None,
) -> ReapSummary:
    """Revert `run_id`'s journalled faults and (with `teardown`) remove its resources, through
    the backend the run's journal names (else `backend`, else the default)."""
    journal = journal or Journal.for_run(run_id)
    undoer = Undoer(run_id, teardown=teardown)
    name = journal.backend() or backend or DEFAULT_BACKEND
    return Reaper(journal, undoer, undoer.backend(name).down if teardown else None).run()
