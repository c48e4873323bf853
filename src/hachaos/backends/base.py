"""The backend interface: create, find and reap stacks, and reach a node again. Nothing else.

Everything engine-specific lives behind it: node capabilities (`hachaos.node`) are implemented by
the backend's nodes, declared by `capabilities()`, and undone after a crash through `reattach()`
by the reaper, which finds the backend by the name in the journal (`hachaos.backends`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hachaos.capabilities import Capability
from hachaos.events import ProgressFn, no_progress
from hachaos.node import Node, NodeRef
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
    """Creates stacks, lists runs, removes everything a run created, reaches nodes again.

    Creating an instance never connects to anything: `capabilities()` is asked before boot.
    """

    name: str  # the registry name, written into every NodeRef this backend's nodes give
    removes_nodes: bool  # down() removes nodes (then a reaper need not restart killed ones)

    def capabilities(self, stack: StackSpec) -> frozenset[Capability]:
        """What this backend can do to `stack`'s nodes, decided from the spec alone."""
        ...

    def up(self, stack: StackSpec, run_id: str, progress: ProgressFn = no_progress) -> RunningStack:
        """Create and start every node, wait until ready (deadline), return handles;
        `progress` hears "nodes ready k/n" as nodes become ready."""
        ...

    def runs(self) -> list[RunInfo]:
        """Every run this backend still holds resources for."""
        ...

    def run_ids(self) -> set[str]:
        """Ids of every run this backend still holds anything for (for sweeps)."""
        ...

    def down(self, run_id: str | None) -> ReapReport:
        """Remove everything labelled with `run_id` (all hachaos runs when None)."""
        ...

    def reattach(self, ref: NodeRef, run_id: str) -> Node | None:
        """A handle to the node `ref` names (written by this backend, maybe in another process),
        with the capabilities its nodes have; None when the node no longer exists."""
        ...

    def engine_version(self) -> str | None:
        """What runs the nodes and its version, for the record (e.g. `docker 27.5.1`)."""
        ...


@runtime_checkable
class Attachable(Protocol):
    """A backend that can hand out the nodes of a run that is already up (started by
    `hachaos up`, or an existing deployment), for conformance checks and support bundles."""

    def attach(self, stack: StackSpec, run_id: str) -> RunningStack:
        """Handles to the nodes of `run_id`, described by `stack`."""
        ...
