"""The build ledger's judgement: a pure function of the probe's history and the platform's
records read after healing.

Every build the client was told was accepted (a `build` probe op that is ok, keyed by its
request id) must have been finished exactly once:

* lost: acknowledged, and no execution of it ever started (or no record at all);
* stuck: acknowledged, started, never finished;
* duplicated: finished by more than one execution (at-least-once delivery allows it);
* unacknowledged_ran: finished, although the client never got a 201 for it (its op failed or
  is unknown): work the client may submit again.

Time to pickup (first execution start - acceptance) and to finish (first finish - acceptance),
per acknowledged build, are taken from the platform's own timestamps (one host clock).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from hachaos.checks.latency import percentile, percentile_interval
from hachaos.history import History, Outcome


@dataclass(frozen=True)
class BuildRecord:
    """One build as the platform recorded it: when it was accepted, and each execution's
    start and finish (None: not finished) in seconds on the host clock."""

    request_id: str
    created_at: float
    executions: tuple[tuple[float, float | None], ...] = ()

    @property
    def finished(self) -> int:
        """How many executions finished."""
        return sum(1 for _, end in self.executions if end is not None)

    @property
    def pickup_s(self) -> float | None:
        """From acceptance to the first execution's start."""
        starts = [start for start, _ in self.executions]
        return min(starts) - self.created_at if starts else None

    @property
    def finish_s(self) -> float | None:
        """From acceptance to the first execution's finish."""
        ends = [end for _, end in self.executions if end is not None]
        return min(ends) - self.created_at if ends else None


@dataclass(frozen=True)
class Spread:
    """A distribution in seconds: count, median, p99 (with its ~95 % interval), max."""

    n: int
    p50: float | None
    p99: float | None
    max: float | None
    p99_interval: tuple[float, float] | None = None

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        """The spread of `values`."""
        vs = sorted(values)
        top = vs[-1] if vs else None
        return cls(
            len(vs), percentile(vs, 50), percentile(vs, 99), top, percentile_interval(vs, 99)
        )

    @property
    def p99_resolution(self) -> float | None:
        """Half the p99's interval: how precisely this many values pin it down."""
        return (self.p99_interval[1] - self.p99_interval[0]) / 2 if self.p99_interval else None


@dataclass(frozen=True)
class BuildLedgerResult:
    """What happened to every build: counts, examples, pickup and finish times."""

    acknowledged: int
    lost: tuple[str, ...]
    stuck: tuple[str, ...]
    duplicated: tuple[str, ...]
    unacknowledged_ran: tuple[str, ...]
    pickup: Spread
    finish: Spread
    complete: bool = True  # False: the records could not be read; nothing above is known
    reason: str = ""
    executions: int = 0
    abandoned: int = 0  # executions started and never finished (e.g. a killed worker's)
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def valid(self) -> bool | None:
        """True: every acknowledged build finished exactly once; None: not judgeable."""
        if not self.complete:
            return None
        return not (self.lost or self.stuck or self.duplicated)


def acknowledged_ids(history: History, process: str = "probe") -> tuple[set[str], set[str]]:
    """(request ids answered 201, request ids sent without a 201) by the build probe."""
    acked: set[str] = set()
    other: set[str] = set()
    for op in history.ops:
        if op.process != process or op.key is None:
            continue
        (acked if op.outcome is Outcome.OK else other).add(op.key)
    return acked, other - acked


def check_builds(history: History, records: Iterable[BuildRecord]) -> BuildLedgerResult:
    """Judge the platform's records against what the probe was told."""
    acked, not_acked = acknowledged_ids(history)
    by_id = {r.request_id: r for r in records}
    lost, stuck, dup = [], [], []
    for rid in sorted(acked):
        rec = by_id.get(rid)
        if rec is None or not rec.executions:
            lost.append(rid)
        elif rec.finished == 0:
            stuck.append(rid)
        elif rec.finished > 1:
            dup.append(rid)
    ran = sorted(rid for rid in not_acked if rid in by_id and by_id[rid].finished)
    mine = [by_id[rid] for rid in acked if rid in by_id]
    runs = [e for r in by_id.values() for e in r.executions]
    return BuildLedgerResult(
        acknowledged=len(acked),
        lost=tuple(lost),
        stuck=tuple(stuck),
        duplicated=tuple(dup),
        unacknowledged_ran=tuple(ran),
        pickup=Spread.of(v for r in mine if (v := r.pickup_s) is not None),
        finish=Spread.of(v for r in mine if (v := r.finish_s) is not None),
        executions=len(runs),
        abandoned=sum(1 for _, end in runs if end is None),
    )


def unreadable(history: History, reason: str) -> BuildLedgerResult:
    """The result when the platform's records could not be read: nothing is known."""
    acked, _ = acknowledged_ids(history)
    none = Spread(0, None, None, None)
    return BuildLedgerResult(len(acked), (), (), (), (), none, none, False, reason)
