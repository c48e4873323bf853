"""A boot's timeline: when each node was created, started and became ready, what its start
waited for, and the chain of waits that decided when the whole stack was ready."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hachaos.clock import REAL_CLOCK, Clock


@dataclass(frozen=True)
class NodeBoot:
    """One node's boot, in seconds since the stack's boot began."""

    node: str
    waited_for: tuple[str, ...]  # the nodes that had to be ready before this one started
    created_s: float
    started_s: float
    ready_s: float

    @property
    def start_to_ready_s(self) -> float:
        """How long the node took from its start to passing its readiness checks."""
        return self.ready_s - self.started_s


class TimelineRecorder:
    """Thread-safe marks of a boot in progress, relative to the recorder's creation."""

    def __init__(self, clock: Clock = REAL_CLOCK) -> None:
        self.clock = clock
        self._t0_ns = clock.now_ns()
        self._marks: dict[str, dict[str, float]] = {}
        self._waits: dict[str, tuple[str, ...]] = {}
        self._lock = threading.Lock()

    def _mark(self, node: str, what: str) -> None:
        elapsed = (self.clock.now_ns() - self._t0_ns) / 1e9
        with self._lock:
            self._marks.setdefault(node, {})[what] = elapsed

    def created(self, node: str) -> None:
        """`node`'s container (or process) exists, not started yet."""
        self._mark(node, "created")

    def started(self, node: str, waited_for: Iterable[str]) -> None:
        """`node` was started once every node in `waited_for` was ready."""
        with self._lock:
            self._waits[node] = tuple(waited_for)
        self._mark(node, "started")

    def ready(self, node: str) -> None:
        """`node` passed its readiness checks."""
        self._mark(node, "ready")

    def timeline(self) -> tuple[NodeBoot, ...]:
        """Every node that became ready, in the order it did."""
        with self._lock:
            done = [
                NodeBoot(
                    node,
                    self._waits.get(node, ()),
                    m.get("created", m["started"]),
                    m["started"],
                    m["ready"],
                )
                for node, m in self._marks.items()
                if "started" in m and "ready" in m
            ]
        return tuple(sorted(done, key=lambda b: b.ready_s))


def critical_path(timeline: Sequence[NodeBoot]) -> list[NodeBoot]:
    """From the first node to the one ready last: each step is the node, among those the next
    one waited for, that became ready last (the wait that held its start back)."""
    if not timeline:
        return []
    by_name = {b.node: b for b in timeline}
    path = [max(timeline, key=lambda b: b.ready_s)]
    while True:
        waited = [by_name[n] for n in path[-1].waited_for if n in by_name]
        if not waited:
            return path[::-1]
        path.append(max(waited, key=lambda b: b.ready_s))


def format_timeline(timeline: Sequence[NodeBoot]) -> list[str]:
    """One line per node: created, started, ready, start-to-ready, and a bar on a 1 s scale."""
    lines = [f"{'node':14} {'created':>8} {'started':>8} {'ready':>8} {'took':>7}"]
    for b in timeline:
        bar = " " * round(b.started_s) + "#" * max(1, round(b.ready_s) - round(b.started_s))
        lines.append(
            f"{b.node:14} {b.created_s:7.2f}s {b.started_s:7.2f}s {b.ready_s:7.2f}s "
            f"{b.start_to_ready_s:6.2f}s |{bar}"
        )
    return lines
