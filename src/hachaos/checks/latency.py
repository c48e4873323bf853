"""Error rate and latency percentiles per window: before, during and after the fault.

* before: ops that ended at or before the first INJECT (or ``origin_ns`` when given: the start
  of a scenario's first action step).
* during: the rest of the ops that started before the *boundary*: the first REVERT at or after
  the inject or, without one, the recovery point (start of the recovering op, see
  ``hachaos.checks.recovery``), or, if clients never recovered, the end of the history.
* after: ops that started at or after the boundary.

Without an inject event every op is "before". Percentiles are nearest-rank over the latencies
(end - start) of ok ops only; failed and indeterminate ops count in the error rate. The p99 comes
with the interval that holds the true p99 with ~95 % confidence (`percentile_interval`): a p99 of
20 ops is only known to lie between the 18th and the slowest, and comparisons must know that.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from hachaos.checks._ops import select_ops
from hachaos.checks.recovery import injected_at, recovery_time
from hachaos.history import FaultPhase, History, Op, Outcome

Z95 = 1.96  # two-sided 95 % of a normal distribution


class Phase(StrEnum):
    """The three windows of a fault run."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


@dataclass(frozen=True)
class PhaseStats:
    """Counts, error rate and ok-latency percentiles (ms) of one window."""

    phase: Phase
    count: int
    ok: int
    fail: int
    unknown: int
    error_rate: float | None  # (fail + unknown) / count; None when the window is empty
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    p99_interval_ms: tuple[float, float] | None = None  # see percentile_interval


@dataclass(frozen=True)
class WindowStats:
    """Stats of the before / during / after windows and where their borders lie."""

    before: PhaseStats
    during: PhaseStats
    after: PhaseStats
    inject_ns: int | None
    boundary_ns: int | None
    boundary: str  # "revert", "recovery", "schedule-end" (a runbook), "end", "none" (no inject)

    def phases(self) -> tuple[PhaseStats, PhaseStats, PhaseStats]:
        """The three windows in time order."""
        return (self.before, self.during, self.after)

    def get(self, phase: Phase | str) -> PhaseStats:
        """One window by name."""
        return {p.phase: p for p in self.phases()}[Phase(phase)]


def percentile(values: Sequence[float], p: float) -> float | None:
    """Nearest-rank percentile `p` (0 < p <= 100) of `values`; None when empty."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile p must be in (0, 100], got {p!r}")
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def percentile_interval(
    values: Sequence[float], p: float, z: float = Z95
) -> tuple[float, float] | None:
    """Distribution-free ~95 % confidence interval of the population's `p`-th percentile: the
    sorted values at ranks floor(n·q - z·s) and ceil(n·q + z·s) + 1, with q = p/100 and
    s = sqrt(n·q·(1 - q)) (how many values fall below the percentile is binomial, taken as
    normal), clamped to the sample; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    n, q = len(ordered), p / 100
    centre, half = n * q, z * math.sqrt(n * q * (1 - q))
    low = min(n, max(1, math.floor(centre - half)))
    high = min(n, max(1, math.ceil(centre + half) + 1))
    return ordered[low - 1], ordered[high - 1]


def phase_stats(phase: Phase, ops: Sequence[Op]) -> PhaseStats:
    """Count outcomes and compute ok-latency percentiles of one window."""
    ok_ms = [(o.end_ns - o.start_ns) / 1e6 for o in ops if o.outcome is Outcome.OK]
    fail = sum(1 for o in ops if o.outcome is Outcome.FAIL)
    unknown = sum(1 for o in ops if o.outcome is Outcome.UNKNOWN)
    rate = (fail + unknown) / len(ops) if ops else None
    return PhaseStats(
        phase,
        len(ops),
        len(ok_ms),
        fail,
        unknown,
        rate,
        percentile(ok_ms, 50),
        percentile(ok_ms, 95),
        percentile(ok_ms, 99),
        percentile_interval(ok_ms, 99),
    )


def windows(
    history: History,
    *,
    process: str | None = None,
    kind: str | None = None,
    origin_ns: int | None = None,
) -> WindowStats:
    """Split the selected ops into before / during / after and summarise each."""
    ops = select_ops(history, process=process, kind=kind)
    inject_ns = origin_ns if origin_ns is not None else injected_at(history)
    if inject_ns is None:
        during_stats = phase_stats(Phase.DURING, ())
        after_stats = phase_stats(Phase.AFTER, ())
        return WindowStats(
            phase_stats(Phase.BEFORE, ops), during_stats, after_stats, None, None, "none"
        )
    boundary_ns, boundary = _boundary(history, inject_ns, process, kind)
    before = [o for o in ops if o.end_ns <= inject_ns]
    rest = [o for o in ops if o.end_ns > inject_ns]
    during = [o for o in rest if boundary_ns is None or o.start_ns < boundary_ns]
    after = [o for o in rest if boundary_ns is not None and o.start_ns >= boundary_ns]
    return WindowStats(
        phase_stats(Phase.BEFORE, before),
        phase_stats(Phase.DURING, during),
        phase_stats(Phase.AFTER, after),
        inject_ns,
        boundary_ns,
        boundary,
    )


def _boundary(
    history: History, inject_ns: int, process: str | None, kind: str | None
) -> tuple[int | None, str]:
    if not history.faults and history.steps:
        # a runbook with no fault (a rolling upgrade): the operator's steps are the disturbance
        return max(e.end_ns for e in history.steps), "schedule-end"
    revert = next(
        (f for f in history.faults if f.phase is FaultPhase.REVERT and f.at_ns >= inject_ns), None
    )
    if revert is not None:
        return revert.at_ns, "revert"
    rec = recovery_time(history, process=process, kind=kind, origin_ns=inject_ns)
    if rec.recovery_ns is not None:
        return rec.recovery_ns, "recovery"
    return None, "end"
