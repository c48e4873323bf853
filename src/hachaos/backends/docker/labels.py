"""Labels every Docker resource of a run carries, so one reaper can find all of it."""

from __future__ import annotations

# new_run_id is re-exported for callers that imported it from here (run ids are every backend's)
from hachaos.runid import new_run_id

__all__ = [
    "MARK",
    "NODE",
    "PORTS",
    "REACH",
    "ROLE",
    "RUN",
    "STACK",
    "container_name",
    "network_name",
    "new_run_id",
    "node_labels",
    "run_filter",
    "run_labels",
]

MARK = "io.hachaos"
RUN = "io.hachaos.run"
STACK = "io.hachaos.stack"
NODE = "io.hachaos.node"
ROLE = "io.hachaos.role"
REACH = "io.hachaos.reach"  # how the runner reaches the node (see hachaos.backends.docker.reach)
PORTS = "io.hachaos.ports"  # the node's declared container ports, comma-separated


def run_labels(run_id: str, stack: str) -> dict[str, str]:
    """Labels shared by everything a run creates."""
    return {MARK: "1", RUN: run_id, STACK: stack}


def node_labels(run_id: str, stack: str, node: str, role: str) -> dict[str, str]:
    """Labels of one node's container."""
    return {**run_labels(run_id, stack), NODE: node, ROLE: role}


def run_filter(run_id: str | None) -> dict[str, list[str]]:
    """A Docker `filters` value selecting one run's resources, or those of every run.

    Every run resource carries the run label; the bare mark is not enough, because containers
    inherit it from hachaos images.
    """
    return {"label": [f"{RUN}={run_id}" if run_id else RUN]}


def container_name(run_id: str, node: str) -> str:
    """The container name of `node` in `run_id`."""
    return f"{run_id}-{node}"


def network_name(run_id: str) -> str:
    """The network a run's nodes share."""
    return f"{run_id}-net"
