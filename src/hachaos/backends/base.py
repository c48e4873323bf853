"""The backend interface: create, find and reap stacks. Nothing else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hachaos.events import ProgressFn, no_progress
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec


@dataclass(frozen=True)
class RunInfo:
    """A run found on a backend by its labels."""

    run_id: str
    stack: str
    nodes: tuple[str, ...]
    status: str  # e.g. "6 running"


@dataclass(frozen=True)
class ReapReport:
    """What a teardown removed and how long it took."""

    run_id: str | None
    containers: int
    networks: int
    volumes: int
    seconds: float


class Backend(Protocol):
    """Creates stacks, lists runs, removes everything a run created."""

    name: str

    def up(self, stack: StackSpec, run_id: str, progress: ProgressFn = no_progress) -> RunningStack:
        """Create and start every node, wait until ready (deadline), return handles;
        `progress` hears "nodes ready k/n" as nodes become ready."""
        ...

    def runs(self) -> list[RunInfo]:
        """Every run this backend still holds resources for."""
        ...

    def down(self, run_id: str | None) -> ReapReport:
        """Remove everything labelled with `run_id` (all hachaos runs when None)."""
        ...
