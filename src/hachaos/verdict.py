"""Budgets declared by a scenario, and the verdict that judges measurements against them.

A verdict is a result, never an exception, and never weaker than the evidence. Precedence,
first match wins:

1. not steady before the fault → INCONCLUSIVE ``not-steady`` (the measurements mean nothing);
2. a claim of the stack contradicted by the running system at steady state (e.g.
   ``replication: sync`` with no synchronous standby) → FAIL ``claim-mismatch``;
3. a step of the schedule that failed (a runbook command with the wrong exit code or output,
   a wait that hit its deadline: the scenario's own predictions) → FAIL ``step-failed``;
4. fault not effective, or no inject recorded → INCONCLUSIVE;
5. any limit broken → FAIL naming the first broken limit (order: errors before the fault,
   outage expectation, expectation windows, recovery, lost / stuck / duplicated /
   unacknowledged builds, lost writes, unexpected writes, duplicated writes, loss window,
   unbudgeted loss, error rate, p99, the HTTP load's error rate and p99, primary overlap,
   heal). A build ledger's lost and stuck builds fail even without a budget (every accepted
   build must finish); its duplicated and unacknowledged builds only past their budget.
   A definite violation is not hidden by something else being unknown. Implicit limits,
   always judged:

   * ``errors-before-fault``: any probe failure between the first ok op and the inject (the
     system failed clients with no fault); earlier failures are warm-up. FAIL rather than
     INCONCLUSIVE: steady state was reached, so the stack was up and still failed clients.
     ``max_error_rate.before`` (or a plain ``max_error_rate``) replaces the rule with a rate;
   * recovery: clients still failing at the end of the observation, or an unconfirmed
     recovery, give a lower bound; past ``recovery_time_s`` it is FAIL ``recovery-too-slow``;
   * ``lost-writes``: a ledger lost acknowledged writes and the scenario budgets no loss
     (neither ``max_lost_writes`` nor ``max_loss_window_s``); a ledger whose data could not be
     judged is INCONCLUSIVE ``data-unknown``;
   * ``not-healed``: the stack did not re-form after the fault within its ready timeout;
   * ``harness-repair``: it re-formed only because the harness repaired it (e.g. restarted a
     stuck RabbitMQ app). A FAIL by default: the system did not heal itself. A scenario that
     accepts a known pitfall sets ``allow_harness_repair: true``; the run then passes with the
     repair named in the detail and ``harness_repairs`` in the measurements;
   * ``expectation-failed``: an ``expect: unavailable`` window in which the probe still
     succeeded after the grace period (the design predicts an outage: a split-brain
     finding), or an ``expect: available`` window whose error rate exceeds the budget's
     ``max_error_rate`` (its ``during`` entry when per window; 0 without one). A window with
     no judged ops is INCONCLUSIVE ``expectation-unknown``;
6. a limit that could not be measured → INCONCLUSIVE (e.g. ``data-unknown``);
7. otherwise PASS ``within-budget`` (its detail names lost writes and harness repairs).

Every measurement appears in ``Verdict.measurements`` whether or not it has a budget.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    StrictBool,
    StrictFloat,
    StrictInt,
    ValidationInfo,
    field_validator,
)

from hachaos.checks.builds import BuildLedgerResult
from hachaos.checks.data import SetResult
from hachaos.checks.expectations import WindowCheck
from hachaos.checks.latency import Phase, PhaseStats, WindowStats
from hachaos.checks.loss import LossWindow
from hachaos.checks.overlap import PrimaryOverlap
from hachaos.checks.recovery import Recovery, RecoveryStatus
from hachaos.checks.steady import BeforeFault, SteadyState
from hachaos.checks.step_times import StepTime
from hachaos.topology.base import ClaimReport, HealReport

WindowName = Literal["before", "during", "after"]
LIMITS = (
    "recovery_time_s",
    "max_lost_writes",
    "max_loss_window_s",
    "max_unexpected",
    "max_error_rate",
    "max_p99_ms",
    "max_primary_overlap_s",
    "max_lost_builds",
    "max_stuck_builds",
    "max_duplicated_builds",
    "max_unacknowledged_builds",
    "max_load_error_rate",
    "max_load_p99_ms",
)


class Budget(BaseModel):
    """The limits a scenario declares; every field optional (the scenario requires at least
    one limit unless its steps make predictions of their own).

    ``max_error_rate`` as a number applies to every non-empty window; as a mapping only to the
    named windows (``before``, ``during``, ``after``). ``max_p99_ms`` applies to every window
    that has ok ops. ``expect: unavailable`` declares that the design predicts an outage and
    counts as a limit on its own. Once any data limit is set, a key duplicated in the final
    read fails the run (``duplicated-writes``): set semantics allow no tolerance for that.
    ``max_loss_window_s`` bounds how far back lost acknowledged writes reach (an RPO, see
    ``hachaos.checks.loss``); without it or ``max_lost_writes`` any lost write fails the run.
    ``allow_harness_repair`` accepts a stack the harness had to repair to re-form.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    recovery_time_s: StrictFloat | None = None
    max_lost_writes: StrictInt | None = None
    max_loss_window_s: StrictFloat | None = None  # RPO: lost writes acked at most this long ago
    max_unexpected: StrictInt | None = None
    max_error_rate: StrictFloat | dict[WindowName, StrictFloat] | None = None
    max_p99_ms: StrictFloat | None = None
    max_primary_overlap_s: StrictFloat | None = None  # two primaries acknowledging at once
    max_lost_builds: StrictInt | None = None  # build ledger: accepted, never run (default 0)
    max_stuck_builds: StrictInt | None = None  # started, never finished (default 0)
    max_duplicated_builds: StrictInt | None = None  # finished more than once (at-least-once)
    max_unacknowledged_builds: StrictInt | None = None  # ran without the client getting a 201
    max_load_error_rate: StrictFloat | dict[WindowName, StrictFloat] | None = None  # HTTP load
    max_load_p99_ms: StrictFloat | None = None  # HTTP load, every window with ok requests
    expect: Literal["available", "unavailable"] = "available"
    allow_harness_repair: StrictBool = False  # accept a stack the harness had to repair to re-form

    @field_validator(
        "recovery_time_s",
        "max_lost_writes",
        "max_loss_window_s",
        "max_unexpected",
        "max_p99_ms",
        "max_primary_overlap_s",
        "max_lost_builds",
        "max_stuck_builds",
        "max_duplicated_builds",
        "max_unacknowledged_builds",
        "max_load_p99_ms",
    )
    @classmethod
    def _not_negative(cls, v: float | None, info: ValidationInfo) -> float | None:
        if v is not None and v < 0:
            raise ValueError(f"{info.field_name} must be >= 0, got {v!r}")
        return v

    @field_validator("max_error_rate", "max_load_error_rate")
    @classmethod
    def _rate_in_range(cls, v: float | dict[str, float] | None) -> float | dict[str, float] | None:
        items = v.items() if isinstance(v, dict) else [("", v)] if v is not None else []
        for window, rate in items:
            if not 0 <= rate <= 1:
                name = f"max_error_rate.{window}" if window else "max_error_rate"
                raise ValueError(f"{name} must be between 0 and 1, got {rate!r}")
        if isinstance(v, dict) and not v:
            raise ValueError("max_error_rate mapping is empty: name before, during or after")
        return v

    def has_limits(self) -> bool:
        """Whether the budget judges anything: a limit, or `expect: unavailable`. A scenario
        requires one unless its steps make predictions of their own (see ScenarioSpec)."""
        return self.expect == "unavailable" or any(getattr(self, f) is not None for f in LIMITS)

    def error_rate_limits(self) -> dict[Phase, float]:
        """The error-rate limit per window (empty when none is set)."""
        return _per_window(self.max_error_rate)

    def load_error_rate_limits(self) -> dict[Phase, float]:
        """The HTTP load's error-rate limit per window (empty when none is set)."""
        return _per_window(self.max_load_error_rate)


def _per_window(limit: float | dict[WindowName, float] | None) -> dict[Phase, float]:
    if limit is None:
        return {}
    if isinstance(limit, dict):
        return {Phase(w): r for w, r in limit.items()}
    return dict.fromkeys(Phase, limit)


class VerdictOutcome(StrEnum):
    """Pass, fail, or inconclusive (could not be judged: never a pass)."""

    PASS = "pass"
    FAIL = "fail"
    INCONCLUSIVE = "inconclusive"


class Reason(StrEnum):
    """Stable reason codes for a verdict."""

    WITHIN_BUDGET = "within-budget"
    RECOVERY_TOO_SLOW = "recovery-too-slow"
    NEVER_RECOVERED = "never-recovered"
    RECOVERY_UNCONFIRMED = "recovery-unconfirmed"
    RECOVERY_UNKNOWN = "recovery-unknown"
    LOST_WRITES = "lost-writes"
    LOSS_WINDOW = "loss-window"
    UNEXPECTED_WRITES = "unexpected-writes"
    DUPLICATED_WRITES = "duplicated-writes"
    ERROR_RATE = "error-rate"
    P99 = "p99"
    NOT_STEADY = "not-steady"
    FAULT_INEFFECTIVE = "fault-ineffective"
    NO_INJECT = "no-inject"
    NO_OBSERVATIONS = "no-observations"
    DATA_UNKNOWN = "data-unknown"
    LATENCY_UNKNOWN = "latency-unknown"
    OUTAGE_EXPECTED_BUT_AVAILABLE = "outage-expected-but-available"
    OUTAGE_UNKNOWN = "outage-unknown"
    SPLIT_BRAIN = "split-brain"
    ERRORS_BEFORE_FAULT = "errors-before-fault"
    NOT_HEALED = "not-healed"
    HARNESS_REPAIR = "harness-repair"
    CLAIM_MISMATCH = "claim-mismatch"
    LOST_BUILDS = "lost-builds"
    STUCK_BUILDS = "stuck-builds"
    DUPLICATED_BUILDS = "duplicated-builds"
    UNACKNOWLEDGED_BUILDS = "unacknowledged-builds"
    STEP_FAILED = "step-failed"
    EXPECTATION_FAILED = "expectation-failed"
    EXPECTATION_UNKNOWN = "expectation-unknown"


Number = float | int


@dataclass(frozen=True)
class Measurement:
    """One measured value next to its budget; `ok` is None when it has no budget or no value."""

    name: str
    value: Number | None
    budget: Number | None
    unit: str
    ok: bool | None
    resolution: float | None = None
    cmp: str = "≤"  # how value must compare to budget to be ok: "≤" or "≥"
    lower_bound: bool = False  # the true value is at least `value` (e.g. still failing at the end)

    def render(self) -> str:
        """One fragment like ``recovery_time_s=2.31s (±0.05s) ≤ 10s`` or, for a lower bound,
        ``recovery_time_s≥30.2s (lower bound) > 10s``."""
        sign = "≥" if self.lower_bound and self.value is not None else "="
        text = f"{self.name}{sign}{_fmt(self.value, self.unit)}"
        if sign == "≥":
            return text + _bound_note(self.budget, self.ok, self.unit)
        if self.resolution is not None and self.value is not None:
            text += f" (±{_fmt(self.resolution, self.unit)})"
        if self.budget is not None:
            cmp = self.cmp if self.ok is not False else {"≤": ">", "≥": "<"}[self.cmp]
            text += f" {cmp} {_fmt(self.budget, self.unit)}"
        return text


def _bound_note(budget: Number | None, ok: bool | None, unit: str) -> str:
    """A lower bound against its budget: only "past it" is definite, "within" is not known."""
    if budget is None:
        return " (lower bound)"
    if ok is False:
        return f" (lower bound) > {_fmt(budget, unit)}"
    return f" (lower bound; budget {_fmt(budget, unit)})"


def _fmt(v: Number | None, unit: str) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, int):
        return f"{v}{unit}"
    return f"{v:.3g}{unit}" if abs(v) < 1 else f"{v:.2f}{unit}".replace(".00", "")


@dataclass(frozen=True)
class Verdict:
    """Pass / fail / inconclusive with a stable reason code, one human line, and the numbers."""

    outcome: VerdictOutcome
    reason: Reason
    detail: str
    measurements: tuple[Measurement, ...]

    @property
    def passed(self) -> bool:
        """True only for PASS."""
        return self.outcome is VerdictOutcome.PASS

    def summary(self) -> str:
        """One line: outcome, reason unless a pass, then every measurement (budgeted first)."""
        head = self.outcome.upper()
        if self.outcome is not VerdictOutcome.PASS:
            head += f" {self.reason}"
        ordered = sorted(self.measurements, key=lambda m: m.budget is None)
        return f"{head} " + ", ".join(m.render() for m in ordered)


@dataclass(frozen=True)
class _Finding:
    outcome: VerdictOutcome
    reason: Reason
    detail: str


def _fail(reason: Reason, detail: str) -> _Finding:
    return _Finding(VerdictOutcome.FAIL, reason, detail)


def _unknown(reason: Reason, detail: str) -> _Finding:
    return _Finding(VerdictOutcome.INCONCLUSIVE, reason, detail)


_Section = tuple[list[Measurement], list[_Finding]]


def judge(
    budget: Budget,
    *,
    steady: SteadyState,
    recovery: Recovery | None,
    data: SetResult | None = None,
    latency: WindowStats | None = None,
    fault_effective: bool = True,
    overlap: PrimaryOverlap | None = None,
    loss: LossWindow | None = None,
    before: BeforeFault | None = None,
    heal: HealReport | None = None,
    claims: tuple[ClaimReport, ...] = (),
    builds: BuildLedgerResult | None = None,
    load: WindowStats | None = None,
    failed_step: str | None = None,
    expectations: Sequence[WindowCheck] = (),
    waits: Sequence[StepTime] = (),
) -> Verdict:
    """Judge the measurements against `budget`; see the module docstring for precedence.
    `failed_step` describes the schedule's failed step, if one failed; `waits` are the named
    waits' durations (measured next to their deadlines; a missed deadline is `failed_step`)."""
    sections = [
        _before(budget, before),
        _outage(budget, recovery, latency),
        *(_expectation(budget, w) for w in expectations),
        _recovery(budget, recovery),
        _builds(budget, builds),
        _data(budget, data),
        _loss(budget, data, loss),
        _latency(budget, latency),
        _load(budget, load),
        _overlap(budget, overlap),
        _heal(budget, heal),
        ([_wait_time(w) for w in waits], []),
    ]
    measurements = tuple(
        m for ms, _ in sections for m in ms if m.value is not None or m.budget is not None
    )
    if claims:
        wrong = sum(1 for c in claims if not c.holds)
        measurements += (Measurement("claims_mismatched", wrong, 0, "", wrong == 0),)
    findings = [f for _, fs in sections for f in fs]
    gate = _gate(steady, recovery, fault_effective, claims, failed_step)
    if gate is not None:
        return Verdict(gate.outcome, gate.reason, gate.detail, measurements)
    for wanted in (VerdictOutcome.FAIL, VerdictOutcome.INCONCLUSIVE):
        first = next((f for f in findings if f.outcome is wanted), None)
        if first is not None:
            return Verdict(first.outcome, first.reason, first.detail, measurements)
    detail = "every measured value is within its budget"
    if budget.expect == "unavailable":
        detail = "outage observed as the design predicts; " + detail
    if data is not None and data.lost:
        detail += f"; {len(data.lost)} acknowledged write(s) LOST, accepted by the loss budget"
    if heal is not None and heal.repaired:
        detail += f"; the HARNESS REPAIRED the stack ({', '.join(heal.repaired)}), as allowed"
    return Verdict(VerdictOutcome.PASS, Reason.WITHIN_BUDGET, detail, measurements)


def _wait_time(wait: StepTime) -> Measurement:
    """`wait.<name>_s`: how long a named wait of the schedule took, against its deadline."""
    return Measurement(f"wait.{wait.name}_s", wait.elapsed_s, wait.deadline_s, "s", wait.within)


def _before(budget: Budget, before: BeforeFault | None) -> _Section:
    """Clients failing before any fault was injected: a FAIL unless the scenario sets an
    error-rate limit on the before window (then that limit judges it)."""
    if before is None:
        return [], []
    tolerated = Phase.BEFORE in budget.error_rate_limits()
    ok = None if tolerated else before.errors == 0
    m = Measurement("errors_before_fault", before.errors, None if tolerated else 0, "", ok)
    if ok is not False:
        return [m], []
    detail = (
        f"{before.errors} of {before.ops} probe ops failed before the fault was injected, "
        f"first: {before.first_error}: the system failed clients with no fault "
        "(set max_error_rate.before to tolerate errors there)"
    )
    return [m], [_fail(Reason.ERRORS_BEFORE_FAULT, detail)]


def _heal(budget: Budget, heal: HealReport | None) -> _Section:
    """The stack must re-form by itself after the fault: not healed in time is a FAIL, and so
    is a repair the harness made (unless the scenario allows it)."""
    if heal is None:
        return [], []
    repairs = len(heal.repaired)
    allowed = budget.allow_harness_repair
    ms = [
        Measurement("heal_s", heal.elapsed_s, None, "s", None),
        Measurement(
            "harness_repairs", repairs, None if allowed else 0, "", None if allowed else not repairs
        ),
    ]
    if not heal.healed:
        detail = f"the stack did not re-form after the fault: {heal.summary()}"
        return ms, [_fail(Reason.NOT_HEALED, detail)]
    if repairs and not allowed:
        detail = (
            f"the stack re-formed only after the harness repaired it ({', '.join(heal.repaired)}):"
            " it does not heal by itself (allow_harness_repair: true accepts a known pitfall)"
        )
        return ms, [_fail(Reason.HARNESS_REPAIR, detail)]
    return ms, []


def _overlap(budget: Budget, overlap: PrimaryOverlap | None) -> _Section:
    limit = budget.max_primary_overlap_s
    if overlap is None or not overlap.nodes:
        if limit is None:
            return [], []
        m = Measurement("primary_overlap_s", None, limit, "s", None)
        detail = "no acknowledged writes name the node that took them: overlap not measurable"
        return [m], [_unknown(Reason.DATA_UNKNOWN, detail)]
    ok = None if limit is None else overlap.total_s <= limit
    m = Measurement("primary_overlap_s", overlap.total_s, limit, "s", ok)
    if ok is False:
        detail = (
            f"two primaries acknowledged writes for {overlap.total_s:.3f}s "
            f"(nodes {', '.join(overlap.nodes)}), budget {limit:g}s"
        )
        return [m], [_fail(Reason.SPLIT_BRAIN, detail)]
    return [m], []


def _gate(
    steady: SteadyState,
    recovery: Recovery | None,
    effective: bool,
    claims: tuple[ClaimReport, ...] = (),
    failed_step: str | None = None,
) -> _Finding | None:
    if not steady.ok:
        return _unknown(Reason.NOT_STEADY, f"not steady before the fault: {steady.reason}")
    wrong = [c for c in claims if not c.holds]
    if wrong:
        detail = "the stack is not what it claims: " + "; ".join(c.summary() for c in wrong)
        return _fail(Reason.CLAIM_MISMATCH, detail)
    if failed_step is not None:
        return _fail(Reason.STEP_FAILED, failed_step)
    if not effective:
        return _unknown(Reason.FAULT_INEFFECTIVE, "the fault did not take effect")
    if recovery is not None and recovery.status is RecoveryStatus.NO_INJECT:
        return _unknown(Reason.NO_INJECT, "no fault inject recorded in the history")
    return None


def _outage(budget: Budget, recovery: Recovery | None, latency: WindowStats | None) -> _Section:
    windows = len(recovery.windows) if recovery is not None else None
    if budget.expect == "available":
        return [Measurement("outage_windows", windows, None, "", None)], []
    observed: bool | None = None
    if recovery is not None and recovery.status is not RecoveryStatus.NO_OPS:
        observed = recovery.outage_observed
    elif latency is not None and latency.during.count:
        observed = bool(latency.during.fail + latency.during.unknown)
    m = Measurement("outage_windows", windows, 1, "", observed, cmp="≥")
    if observed is None:
        return [m], [_unknown(Reason.OUTAGE_UNKNOWN, "could not tell whether an outage happened")]
    if not observed:
        detail = "the design predicts an outage, but clients never failed"
        return [m], [_fail(Reason.OUTAGE_EXPECTED_BUT_AVAILABLE, detail)]
    return [m], []


def _expectation(budget: Budget, w: WindowCheck) -> _Section:
    """One expectation window: an outage the design predicts must really happen (no ok op
    after the grace), an availability it predicts must hold (error rate within budget)."""
    if w.state == "unavailable":
        m = Measurement(f"expect.{w.name}.ok_ops", w.ok if w.observed else None, 0, "", None)
    else:
        rate = w.failed / w.ops if w.ops else None
        limit = window_error_rate(budget)
        m = Measurement(f"expect.{w.name}.error_rate", rate, limit, "", None)
    if not w.observed:
        return [m], []  # the schedule stopped before the window opened: step-failed says why
    if not w.ops:
        detail = f"window {w.name!r}: no op of probe {w.probe!r} after the grace period"
        return [m], [_unknown(Reason.EXPECTATION_UNKNOWN, detail)]
    ok = m.value is not None and m.budget is not None and m.value <= m.budget
    m = replace(m, ok=ok)
    if ok:
        return [m], []
    if w.state == "unavailable":
        detail = (
            f"window {w.name!r}: the design predicts an outage of probe {w.probe!r} here; "
            f"writes still succeeded: split-brain finding ({w.counts()})"
        )
    else:
        detail = (
            f"window {w.name!r}: the design predicts probe {w.probe!r} stays available; "
            f"error rate {m.value:.3f} > {m.budget:g} ({w.counts()})"
        )
    return [m], [_fail(Reason.EXPECTATION_FAILED, detail)]


def window_error_rate(budget: Budget) -> float:
    """The error rate an `expect: available` window tolerates: `max_error_rate` (its `during`
    entry when given per window), else 0."""
    limit = budget.max_error_rate
    if isinstance(limit, dict):
        return limit.get("during", 0.0)
    return limit if limit is not None else 0.0


def _recovery(budget: Budget, rec: Recovery | None) -> _Section:
    limit = budget.recovery_time_s
    if rec is None:
        m = Measurement("recovery_time_s", None, limit, "s", None)
        why = [_unknown(Reason.RECOVERY_UNKNOWN, "recovery not measured")] if limit else []
        return [m], why
    if rec.recovery_s is None and rec.lower_bound_s is not None:
        return _recovery_bound(budget, rec, rec.lower_bound_s)
    value = rec.recovery_s
    ok = None if limit is None or value is None else value <= limit
    if limit is not None and rec.status is RecoveryStatus.NOT_RECOVERED:
        ok = False
    m = Measurement("recovery_time_s", value, limit, "s", ok, rec.resolution_s)
    return [m], _recovery_findings(budget, rec, ok)


def _recovery_bound(budget: Budget, rec: Recovery, bound: float) -> _Section:
    """Clients still failing late in the observation: recovery took at least `bound`; past the
    budget that is a definite FAIL, within it the usual never-recovered / unconfirmed rules."""
    limit = budget.recovery_time_s
    over = limit is not None and bound > limit
    stuck = rec.status is RecoveryStatus.NOT_RECOVERED and limit is not None
    ok = False if over or stuck else None
    m = Measurement("recovery_time_s", bound, limit, "s", ok, lower_bound=True)
    if not over:
        return [m], _recovery_findings(budget, rec, ok)
    where = {
        RecoveryStatus.NOT_RECOVERED: "still failing at end of observation",
        RecoveryStatus.UNCONFIRMED: "clients still failing then; later success not sustained",
    }.get(rec.status, rec.note)
    detail = f"recovery > {bound:.1f}s ({where}), budget {limit:g}s"
    return [m], [_fail(Reason.RECOVERY_TOO_SLOW, detail)]


def _recovery_findings(budget: Budget, rec: Recovery, ok: bool | None) -> list[_Finding]:
    limit = budget.recovery_time_s
    if rec.status is RecoveryStatus.NOT_RECOVERED:
        if limit is None and budget.expect == "unavailable":
            return []
        return [_fail(Reason.NEVER_RECOVERED, f"clients never recovered: {rec.note}")]
    if limit is None:
        return []
    unknowns = {
        RecoveryStatus.UNCONFIRMED: (Reason.RECOVERY_UNCONFIRMED, rec.note),
        RecoveryStatus.NO_OPS: (Reason.NO_OBSERVATIONS, "no client ops after the inject"),
    }
    if rec.status in unknowns:
        return [_unknown(*unknowns[rec.status])]
    if ok is False:
        detail = f"recovered after {rec.recovery_s:.2f}s (±{rec.resolution_s:.2f}s) > {limit:g}s"
        return [_fail(Reason.RECOVERY_TOO_SLOW, detail)]
    return []


def _builds(budget: Budget, builds: BuildLedgerResult | None) -> _Section:
    """The build ledger: lost and stuck builds fail unless budgeted (every accepted build must
    finish); duplicated and unacknowledged-but-ran builds are reported, and fail only past a
    budget the scenario sets (at-least-once delivery allows them)."""
    if builds is None:
        return [], []
    if not builds.complete:
        ms = [Measurement("builds_acknowledged", builds.acknowledged, None, "", None)]
        return ms, [_unknown(Reason.DATA_UNKNOWN, f"build ledger not read: {builds.reason}")]
    limits = (
        ("lost_builds", builds.lost, budget.max_lost_builds, 0, Reason.LOST_BUILDS),
        ("stuck_builds", builds.stuck, budget.max_stuck_builds, 0, Reason.STUCK_BUILDS),
        (
            "duplicated_builds",
            builds.duplicated,
            budget.max_duplicated_builds,
            None,
            Reason.DUPLICATED_BUILDS,
        ),
        (
            "unacknowledged_builds",
            builds.unacknowledged_ran,
            budget.max_unacknowledged_builds,
            None,
            Reason.UNACKNOWLEDGED_BUILDS,
        ),
    )
    ms = [Measurement("builds_acknowledged", builds.acknowledged, None, "", None)]
    findings: list[_Finding] = []
    for name, ids, limit, implicit, reason in limits:
        bound = limit if limit is not None else implicit
        ok = None if bound is None else len(ids) <= bound
        ms.append(Measurement(name, len(ids), bound, "", ok))
        if ok is False:
            shown = ", ".join(ids[:3]) + (" ..." if len(ids) > 3 else "")
            findings.append(
                _fail(reason, f"{len(ids)} {name.replace('_', ' ')} > {bound}: {shown}")
            )
    ms += [
        Measurement("pickup_p50_s", builds.pickup.p50, None, "s", None),
        Measurement(
            "pickup_p99_s", builds.pickup.p99, None, "s", None, builds.pickup.p99_resolution
        ),
        Measurement(
            "finish_p99_s", builds.finish.p99, None, "s", None, builds.finish.p99_resolution
        ),
        Measurement("finish_max_s", builds.finish.max, None, "s", None),
        Measurement("abandoned_executions", builds.abandoned, None, "", None),
    ]
    return ms, findings


def _data(budget: Budget, data: SetResult | None) -> _Section:
    limits = (
        ("lost_writes", budget.max_lost_writes, Reason.LOST_WRITES),
        ("unexpected_writes", budget.max_unexpected, Reason.UNEXPECTED_WRITES),
    )
    known = data is not None and data.valid is not None
    counts = _data_counts(data) if known else {}
    ms: list[Measurement] = []
    findings: list[_Finding] = []
    for name, limit, reason in limits:
        value = counts.get(name)
        ok = None if limit is None or value is None else value <= limit
        ms.append(Measurement(name, value, limit, "", ok))
        if ok is False:
            findings.append(_fail(reason, f"{value} {name.replace('_', ' ')} > {limit}"))
    ms += [Measurement(n, counts.get(n), None, "", None) for n in ("duplicated", "acknowledged")]
    ms.append(Measurement("ack_rate", data.ack_rate if data else None, None, "/s", None))
    has_limit = any(limit is not None for _, limit, _ in limits)
    has_limit = has_limit or budget.max_loss_window_s is not None
    if has_limit and counts.get("duplicated"):
        detail = f"{counts['duplicated']} key(s) present more than once in the final read"
        findings.append(_fail(Reason.DUPLICATED_WRITES, detail))
    if has_limit and not known:
        why = data.reason if data is not None else "no set check ran"
        findings.append(_unknown(Reason.DATA_UNKNOWN, f"data not judgeable: {why}"))
    return ms, findings


def _loss(budget: Budget, data: SetResult | None, loss: LossWindow | None) -> _Section:
    """The loss window against ``max_loss_window_s``; and lost writes with no loss budget at
    all fail the run: losing acknowledged writes passes only when the scenario says it may."""
    limit = budget.max_loss_window_s
    known = data is not None and data.valid is not None
    value = loss.window_s if known and loss is not None else None
    ok = None if limit is None or value is None else value <= limit
    m = Measurement("loss_window_s", value, limit, "s", ok)
    findings: list[_Finding] = []
    if ok is False and loss is not None:
        detail = (
            f"{loss.lost} lost acknowledged write(s) reach back {loss.window_s:.2f}s from the "
            f"failover ({loss.reference}), budget {limit:g}s"
        )
        findings.append(_fail(Reason.LOSS_WINDOW, detail))
    elif limit is not None and known and value is None:
        findings.append(_unknown(Reason.DATA_UNKNOWN, "loss window not measured"))
    return [m], findings + _unbudgeted_loss(budget, data)


def _unbudgeted_loss(budget: Budget, data: SetResult | None) -> list[_Finding]:
    """A ledger ran but the scenario budgets no loss: any loss fails, no data is unknown."""
    if data is None or budget.max_lost_writes is not None or budget.max_loss_window_s is not None:
        return []
    if data.valid is None:
        return [_unknown(Reason.DATA_UNKNOWN, f"data not judgeable: {data.reason}")]
    if not data.lost:
        return []
    detail = (
        f"{len(data.lost)} of {data.acknowledged} acknowledged writes lost, and the scenario "
        "budgets no loss (set max_lost_writes and/or max_loss_window_s to accept it)"
    )
    return [_fail(Reason.LOST_WRITES, detail)]


def _data_counts(data: SetResult | None) -> dict[str, int]:
    if data is None:
        return {}
    return {
        "lost_writes": len(data.lost),
        "unexpected_writes": len(data.unexpected),
        "duplicated": len(data.duplicated),
        "acknowledged": data.acknowledged,
    }


def _latency(budget: Budget, latency: WindowStats | None) -> _Section:
    rate_limits = budget.error_rate_limits()
    if latency is None:
        ms = [Measurement(f"error_rate.{p}", None, r, "", None) for p, r in rate_limits.items()]
        if budget.max_p99_ms is not None:
            ms.append(Measurement("p99_ms", None, budget.max_p99_ms, "ms", None))
        why = [_unknown(Reason.LATENCY_UNKNOWN, "latency not measured")] if ms else []
        return ms, why
    rates = [_rate(p, rate_limits.get(p.phase)) for p in latency.phases()]
    p99s = [_p99(p, budget.max_p99_ms) for p in latency.phases()]
    findings = [f for _, fs in (*rates, *p99s) for f in fs]
    findings += _nothing_measured(budget, rate_limits, latency)
    return [m for m, _ in (*rates, *p99s)], findings


def _load(budget: Budget, load: WindowStats | None) -> _Section:
    """The HTTP load's error rate and p99 per window (`load.` measurements), judged against
    `max_load_error_rate` / `max_load_p99_ms` when set."""
    limits = budget.load_error_rate_limits()
    p99_limit = budget.max_load_p99_ms
    if load is None:
        if not limits and p99_limit is None:
            return [], []
        return [], [_unknown(Reason.LATENCY_UNKNOWN, "the HTTP load recorded no requests")]
    ms: list[Measurement] = []
    findings: list[_Finding] = []
    for stats in load.phases():
        for m, fs in (_rate(stats, limits.get(stats.phase)), _p99(stats, p99_limit)):
            ms.append(replace(m, name=f"load.{m.name}"))
            findings += [replace(f, detail=f"HTTP load: {f.detail}") for f in fs]
        ms.append(Measurement(f"load.requests.{stats.phase}", stats.count, None, "", None))
        named = isinstance(budget.max_load_error_rate, dict) and stats.phase in limits
        if stats.count == 0 and named:
            detail = f"the HTTP load recorded no requests in the {stats.phase} window"
            findings.append(_unknown(Reason.LATENCY_UNKNOWN, detail))
    if not any(p.count for p in load.phases()):
        findings.append(_unknown(Reason.LATENCY_UNKNOWN, "the HTTP load recorded no requests"))
    return ms, findings


def _rate(stats: PhaseStats, limit: float | None) -> tuple[Measurement, list[_Finding]]:
    value = stats.error_rate
    ok = None if limit is None or value is None else value <= limit
    m = Measurement(f"error_rate.{stats.phase}", value, limit, "", ok)
    if ok is False:
        detail = f"error rate {stats.phase} = {value:.3f} > {limit:g}"
        return m, [_fail(Reason.ERROR_RATE, detail)]
    return m, []


def _p99(stats: PhaseStats, limit: float | None) -> tuple[Measurement, list[_Finding]]:
    value = stats.p99_ms
    ok = None if limit is None or value is None else value <= limit
    interval = stats.p99_interval_ms
    spread = (interval[1] - interval[0]) / 2 if interval is not None else None
    m = Measurement(f"p99_ms.{stats.phase}", value, limit, "ms", ok, spread)
    if ok is False:
        return m, [_fail(Reason.P99, f"p99 {stats.phase} = {value:.1f}ms > {limit:g}ms")]
    return m, []


def _nothing_measured(
    budget: Budget, rate_limits: dict[Phase, float], latency: WindowStats
) -> Iterable[_Finding]:
    named = isinstance(budget.max_error_rate, dict)
    for phase in rate_limits:
        stats = latency.get(phase)
        if stats.count == 0 and (named or not any(p.count for p in latency.phases())):
            yield _unknown(Reason.LATENCY_UNKNOWN, f"no ops in the {phase} window")
    if budget.max_p99_ms is not None and not any(p.ok for p in latency.phases()):
        yield _unknown(Reason.LATENCY_UNKNOWN, "no ok ops to measure p99")
