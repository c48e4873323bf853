"""Two primaries accepting writes at once (split brain), as seen by clients.

Semantics, all on the history clock:

* Only ``ok`` ops of ``kind`` (default ``write``) whose ``value`` names the acknowledging node
  count, and only those started at or after ``since_ns`` (default: the first INJECT event; the
  whole history when there is none).
* A node's *acceptance intervals* are the [start, end] spans of the writes it acknowledged,
  merged when the gap between one write's end and the next one's start is at most
  ``max_gap_s``. The merge lets a single sequential client reveal split brain: writes that
  alternate pg-1, pg-2, pg-1 within ``max_gap_s`` mean both nodes were accepting. With
  ``max_gap_s=0`` only writes whose own spans overlap count.
* An *overlap* is a non-empty intersection of two different nodes' acceptance intervals.
  A clean failover (pg-1's last ack ends before pg-2's first ack starts) has no overlap;
  a fail-back later than ``max_gap_s`` after the last ack has none either.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from hachaos.checks._ops import NS_PER_S, select_ops, to_s
from hachaos.history import FaultPhase, History, Op, Outcome


@dataclass(frozen=True)
class Acceptance:
    """One span during which `node` acknowledged writes."""

    node: str
    start_ns: int
    end_ns: int
    writes: int


@dataclass(frozen=True)
class OverlapWindow:
    """A span in which two different nodes were both acknowledging writes."""

    start_ns: int
    end_ns: int
    nodes: tuple[str, str]

    @property
    def duration_s(self) -> float:
        """Length of the overlap in seconds."""
        return to_s(self.end_ns - self.start_ns)


@dataclass(frozen=True)
class PrimaryOverlap:
    """The split-brain check: ok when no two nodes acknowledged writes at the same time."""

    ok: bool
    nodes: tuple[str, ...]
    acceptance: tuple[Acceptance, ...]
    overlaps: tuple[OverlapWindow, ...]
    total_s: float  # length of the union of all overlap windows
    since_ns: int | None

    @property
    def max_overlap_s(self) -> float:
        """The longest single overlap window in seconds (0.0 when none)."""
        return max((o.duration_s for o in self.overlaps), default=0.0)


def primary_overlap(
    history: History,
    *,
    since_ns: int | None = None,
    kind: str = "write",
    process: str | None = None,
    max_gap_s: float = 1.0,
) -> PrimaryOverlap:
    """Report spans where two different nodes acknowledged writes at once; see module doc."""
    if since_ns is None:
        inject = history.first_fault(FaultPhase.INJECT)
        since_ns = inject.at_ns if inject is not None else None
    acks = [
        op
        for op in select_ops(history, process=process, kind=kind)
        if op.outcome is Outcome.OK and op.value and (since_ns is None or op.start_ns >= since_ns)
    ]
    nodes = tuple(sorted({op.value for op in acks if op.value}))
    gap_ns = int(max_gap_s * NS_PER_S)
    spans = [s for n in nodes for s in acceptance([o for o in acks if o.value == n], gap_ns)]
    overlaps = tuple(sorted(_overlaps(spans), key=lambda o: (o.start_ns, o.nodes)))
    total = to_s(_union_ns((o.start_ns, o.end_ns) for o in overlaps))
    return PrimaryOverlap(not overlaps, nodes, tuple(spans), overlaps, total, since_ns)


def acceptance(acks: Sequence[Op], gap_ns: int) -> list[Acceptance]:
    """Merge one node's acknowledged writes into acceptance spans (gap at most `gap_ns`)."""
    spans: list[Acceptance] = []
    for op in sorted(acks, key=lambda o: o.start_ns):
        last = spans[-1] if spans else None
        if last is not None and op.start_ns - last.end_ns <= gap_ns:
            end = max(last.end_ns, op.end_ns)
            spans[-1] = Acceptance(last.node, last.start_ns, end, last.writes + 1)
        else:
            spans.append(Acceptance(op.value or "", op.start_ns, op.end_ns, 1))
    return spans


def _overlaps(spans: Sequence[Acceptance]) -> Iterable[OverlapWindow]:
    for a, b in combinations(spans, 2):
        start, end = max(a.start_ns, b.start_ns), min(a.end_ns, b.end_ns)
        if a.node != b.node and start < end:
            pair = (a.node, b.node) if a.node < b.node else (b.node, a.node)
            yield OverlapWindow(start, end, pair)


def _union_ns(intervals: Iterable[tuple[int, int]]) -> int:
    total, reach = 0, None
    for start, end in sorted(intervals):
        lo = start if reach is None else max(start, reach)
        total += max(0, end - lo)
        reach = end if reach is None else max(reach, end)
    return total
