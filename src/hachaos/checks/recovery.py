"""Recovery time: how long after a fault's inject clients saw sustained success again.

Definitions (all on the history's monotonic clock, ops ordered by start time):

* The *origin* is the first INJECT event, or ``origin_ns`` when given (the start of the
  scenario step recovery is measured from, ``recovery.from_step``); "inject" below means it.
* The *series* is every selected op still running at or started after the origin
  (``end_ns > inject_ns``). An op that straddles the inject and fails counts as a failure.
* A *failure* is an op whose outcome is ``fail`` or ``unknown``.
* An *unavailability window* is a maximal run of consecutive failures in the series; it spans
  the first failure's start to the last failure's end.
* The *recovering op* is the first ``ok`` op, started at or after the inject, that follows the
  last failure of the series. Earlier returns to success that were followed by more failures
  are flaps: they show up as extra windows and do not count as recovery. This is "the last
  recovery that is followed by sustained success".
* *Sustained* means the next ``sustain_ops`` ops exist and are all ok, or, with ``sustain_s``,
  every op starting within ``sustain_s`` of the recovering op's start is ok and the history
  reaches that far. When the history ends before that evidence exists the result is
  ``UNCONFIRMED``, never a pass.
* When the history ends in failure (``NOT_RECOVERED``) or the recovery is ``UNCONFIRMED``,
  ``lower_bound_s`` is the time from the inject to the start of the last failing op: clients
  were still failing then, so the true recovery time is at least that long.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from hachaos.checks._ops import NS_PER_S, is_failure, probe_interval_s, select_ops, to_s
from hachaos.history import FaultPhase, History, Op


class RecoveryStatus(StrEnum):
    """How a recovery measurement came out."""

    NO_INJECT = "no-inject"  # the history records no fault inject: nothing to measure
    NO_OPS = "no-ops"  # no operation started after the inject
    NO_IMPACT = "no-impact"  # clients never failed after the inject
    RECOVERED = "recovered"  # failures, then sustained success
    UNCONFIRMED = "unconfirmed"  # ok after the last failure, but too little history to prove it
    NOT_RECOVERED = "not-recovered"  # the history ends in failure


@dataclass(frozen=True)
class Window:
    """One unavailability window: a run of consecutive failed or indeterminate ops."""

    start_ns: int
    end_ns: int
    failed: int

    @property
    def duration_s(self) -> float:
        """Length of the window in seconds."""
        return to_s(self.end_ns - self.start_ns)


@dataclass(frozen=True)
class Recovery:
    """The recovery measurement of one history.

    ``recovery_s`` is measured from the inject to the *end* of the recovering op, the moment a
    client observed success: a conservative upper bound. The true instant of recovery lies
    after the last failing op *started* (it may have failed anywhere within its duration) and
    before the recovering op ended, so ``resolution_s`` is that interval's width and the true
    recovery time lies in ``[recovery_s - resolution_s, recovery_s]``. A ± of ``resolution_s``
    is therefore an honest (one-sided-loose) bound. With no impact, ``resolution_s`` is the
    observed probe interval (median gap between op starts): an outage shorter than that could
    have fallen between two ops unseen.
    """

    status: RecoveryStatus
    recovery_s: float | None
    resolution_s: float
    inject_ns: int | None
    windows: tuple[Window, ...]
    ops_after: int
    recovery_ns: int | None = None  # start of the recovering op
    probe_interval_s: float | None = None
    note: str = ""
    lower_bound_s: float | None = None  # NOT_RECOVERED / UNCONFIRMED: recovery took at least this

    @property
    def recovered(self) -> bool:
        """True when clients saw sustained success after the inject (including no impact)."""
        return self.status in (RecoveryStatus.RECOVERED, RecoveryStatus.NO_IMPACT)

    @property
    def outage_observed(self) -> bool:
        """True when at least one unavailability window was seen after the inject."""
        return bool(self.windows)


def recovery_time(
    history: History,
    *,
    process: str | None = None,
    kind: str | None = None,
    sustain_ops: int = 10,
    sustain_s: float | None = None,
    origin_ns: int | None = None,
) -> Recovery:
    """Measure recovery after the first fault inject (or `origin_ns`); see the module
    docstring for semantics."""
    if sustain_ops < 0:
        raise ValueError(f"sustain_ops must be >= 0, got {sustain_ops!r}")
    if sustain_s is not None and sustain_s <= 0:
        raise ValueError(f"sustain_s must be > 0, got {sustain_s!r}")
    inject_ns = origin_ns if origin_ns is not None else injected_at(history)
    ops = select_ops(history, process=process, kind=kind)
    interval = probe_interval_s(ops)
    if inject_ns is None:
        return _empty(RecoveryStatus.NO_INJECT, None, 0, interval, "no fault inject recorded")
    series = tuple(op for op in ops if op.end_ns > inject_ns)
    ops_after = sum(1 for op in series if op.start_ns >= inject_ns)
    if ops_after == 0:
        return _empty(RecoveryStatus.NO_OPS, inject_ns, 0, interval, "no ops after inject")
    sustain = _Sustain(sustain_ops, sustain_s)
    return _measure(series, inject_ns, ops_after, interval, sustain)


def injected_at(history: History) -> int | None:
    """When the first fault was injected (None: never)."""
    inject = history.first_fault(FaultPhase.INJECT)
    return inject.at_ns if inject is not None else None


@dataclass(frozen=True)
class _Sustain:
    ops: int
    seconds: float | None

    def holds(self, series: Sequence[Op], k: int) -> bool:
        """Whether the ops after series[k] prove sustained success."""
        rest = series[k + 1 :]
        if self.seconds is None:
            following = rest[: self.ops]
            return len(following) == self.ops and not any(map(is_failure, following))
        horizon = series[k].start_ns + int(self.seconds * NS_PER_S)
        within = [op for op in rest if op.start_ns < horizon]
        reaches = max((op.end_ns for op in series[k:]), default=0) >= horizon
        return reaches and not any(map(is_failure, within))

    def describe(self) -> str:
        """Human text for the sustain rule."""
        if self.seconds is None:
            return f"{self.ops} ops"
        return f"{self.seconds:g}s"


def _measure(
    series: Sequence[Op], inject_ns: int, ops_after: int, interval: float | None, sustain: _Sustain
) -> Recovery:
    windows = failure_windows(series)
    base = Recovery(RecoveryStatus.NOT_RECOVERED, None, 0.0, inject_ns, windows, ops_after)
    base = replace(base, probe_interval_s=interval)
    last_fail = max((i for i, op in enumerate(series) if is_failure(op)), default=-1)
    k = next(
        (i for i in range(last_fail + 1, len(series)) if series[i].start_ns >= inject_ns), None
    )
    bound = to_s(max(series[last_fail].start_ns - inject_ns, 0)) if last_fail >= 0 else None
    base = replace(base, lower_bound_s=bound)
    if k is None:
        return replace(base, note=f"history ends in failure ({len(windows)} window(s))")
    if not sustain.holds(series, k):
        note = f"ok after the last failure, but the history ends before {sustain.describe()}"
        return replace(base, status=RecoveryStatus.UNCONFIRMED, note=f"{note} of success")
    if not windows:
        return replace(
            base,
            status=RecoveryStatus.NO_IMPACT,
            recovery_s=0.0,
            resolution_s=interval or 0.0,
            recovery_ns=series[k].start_ns,
            note="no impact",
        )
    ok_op, fail_op = series[k], series[last_fail]
    flaps = len(windows) - 1
    return replace(
        base,
        lower_bound_s=None,
        status=RecoveryStatus.RECOVERED,
        recovery_s=to_s(ok_op.end_ns - inject_ns),
        resolution_s=to_s(ok_op.end_ns - max(fail_op.start_ns, inject_ns)),
        recovery_ns=ok_op.start_ns,
        note=f"recovered after {flaps} flap(s)" if flaps else "recovered",
    )


def failure_windows(series: Sequence[Op]) -> tuple[Window, ...]:
    """Group consecutive failures (in start order) into unavailability windows."""
    windows: list[Window] = []
    run: list[Op] = []
    for op in [*series, None]:
        if op is not None and is_failure(op):
            run.append(op)
            continue
        if run:
            windows.append(Window(run[0].start_ns, max(o.end_ns for o in run), len(run)))
            run = []
    return tuple(windows)


def _empty(
    status: RecoveryStatus, inject_ns: int | None, ops_after: int, interval: float | None, note: str
) -> Recovery:
    return Recovery(status, None, 0.0, inject_ns, (), ops_after, None, interval, note)
