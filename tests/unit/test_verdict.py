from __future__ import annotations

from dataclasses import replace

import pytest
from pydantic import ValidationError

from hachaos.checks.data import SetResult
from hachaos.checks.latency import Phase, PhaseStats, WindowStats
from hachaos.checks.loss import LossWindow
from hachaos.checks.recovery import Recovery, RecoveryStatus, Window
from hachaos.checks.steady import BeforeFault, SteadyState
from hachaos.topology.base import HealReport
from hachaos.verdict import Budget, Reason, Verdict, VerdictOutcome, judge

STEADY = SteadyState(True, "last 10 ops ok", 10, 10)
WIN = (Window(0, 10**9, 20),)
RECOVERED = Recovery(RecoveryStatus.RECOVERED, 2.31, 0.05, 0, WIN, 100, 10**9, 0.05, "recovered")
NO_IMPACT = Recovery(RecoveryStatus.NO_IMPACT, 0.0, 0.05, 0, (), 100, 0, 0.05, "no impact")
NEVER = Recovery(RecoveryStatus.NOT_RECOVERED, None, 0.0, 0, WIN, 100)
CLEAN_DATA = SetResult(True, "all acknowledged present", 50, 50)


def stats(phase: Phase, count: int = 100, fail: int = 0, p99: float | None = 12.0) -> PhaseStats:
    return PhaseStats(phase, count, count - fail, fail, 0, fail / count if count else None,
                      p99 and p99 / 2, p99, p99)  # fmt: skip


def latency(during_fail: int = 0, p99: float = 12.0) -> WindowStats:
    return WindowStats(stats(Phase.BEFORE), stats(Phase.DURING, fail=during_fail, p99=p99),
                       stats(Phase.AFTER), 0, 10**9, "revert")  # fmt: skip


def verdict(budget: Budget, **kw: object) -> Verdict:
    args: dict[str, object] = {"steady": STEADY, "recovery": RECOVERED} | kw
    return judge(budget, **args)  # type: ignore[arg-type]


def test_pass_within_budget_summary() -> None:
    v = verdict(Budget(recovery_time_s=10))
    assert v.outcome is VerdictOutcome.PASS and v.reason is Reason.WITHIN_BUDGET and v.passed
    assert v.summary().startswith("PASS recovery_time_s=2.31s (±0.05s) ≤ 10s")


def test_recovery_too_slow() -> None:
    v = verdict(Budget(recovery_time_s=2))
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.RECOVERY_TOO_SLOW)
    assert "recovery_time_s=2.31s (±0.05s) > 2s" in v.summary()
    assert v.summary().startswith("FAIL recovery-too-slow")


def test_never_recovered() -> None:
    v = verdict(Budget(recovery_time_s=10), recovery=NEVER)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.NEVER_RECOVERED)
    assert "recovery_time_s=n/a > 10s" in v.summary()


def test_never_recovered_fails_even_without_recovery_budget() -> None:
    v = verdict(Budget(max_lost_writes=0), recovery=NEVER, data=CLEAN_DATA)
    assert v.reason is Reason.NEVER_RECOVERED


def test_unconfirmed_recovery_is_inconclusive() -> None:
    rec = replace(NEVER, status=RecoveryStatus.UNCONFIRMED, note="too short")
    v = verdict(Budget(recovery_time_s=10), recovery=rec)
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.RECOVERY_UNCONFIRMED)


def test_no_ops_after_inject_is_inconclusive() -> None:
    rec = Recovery(RecoveryStatus.NO_OPS, None, 0.0, 0, (), 0)
    assert verdict(Budget(recovery_time_s=10), recovery=rec).reason is Reason.NO_OBSERVATIONS


def test_recovery_not_measured_is_inconclusive() -> None:
    assert verdict(Budget(recovery_time_s=10), recovery=None).reason is Reason.RECOVERY_UNKNOWN


def test_not_steady_trumps_everything() -> None:
    v = verdict(Budget(recovery_time_s=1), steady=SteadyState(False, "only 3 ops", 3, 10))
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.NOT_STEADY)
    assert "only 3 ops" in v.detail and v.measurements  # still measured


def test_fault_ineffective() -> None:
    v = verdict(Budget(recovery_time_s=10), fault_effective=False)
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.FAULT_INEFFECTIVE)


def test_no_inject() -> None:
    rec = Recovery(RecoveryStatus.NO_INJECT, None, 0.0, None, (), 0)
    assert verdict(Budget(recovery_time_s=10), recovery=rec).reason is Reason.NO_INJECT


def test_lost_writes() -> None:
    data = replace(CLEAN_DATA, valid=False, lost=("k1", "k2"))
    v = verdict(Budget(recovery_time_s=10, max_lost_writes=1), data=data)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.LOST_WRITES)
    assert "lost_writes=2 > 1" in v.summary()


def test_unexpected_writes() -> None:
    data = replace(CLEAN_DATA, valid=False, unexpected=("zz",))
    v = verdict(Budget(max_unexpected=0), data=data)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.UNEXPECTED_WRITES)


def test_data_unknown() -> None:
    data = SetResult(None, "no complete final read", 50, 50)
    v = verdict(Budget(recovery_time_s=10, max_lost_writes=0), data=data)
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.DATA_UNKNOWN)
    assert "no complete final read" in v.detail
    assert verdict(Budget(max_lost_writes=0)).reason is Reason.DATA_UNKNOWN  # data=None


def test_fail_beats_unknown_and_names_the_first() -> None:
    data = SetResult(None, "no final read", 0, 0)
    v = verdict(Budget(recovery_time_s=1, max_lost_writes=0), data=data)
    assert v.reason is Reason.RECOVERY_TOO_SLOW


def test_error_rate_per_window() -> None:
    lat = latency(during_fail=40)
    v = verdict(Budget(max_error_rate={"before": 0.0, "after": 0.01}), latency=lat)
    assert v.passed
    v = verdict(Budget(max_error_rate=0.1), latency=lat)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.ERROR_RATE)
    assert "error_rate.during=0.4 > 0.1" in v.summary()


def test_p99() -> None:
    v = verdict(Budget(max_p99_ms=100), latency=latency(p99=250.0))
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.P99)
    assert "p99_ms.during=250ms > 100ms" in v.summary()


def test_latency_unknown() -> None:
    assert verdict(Budget(max_p99_ms=100)).reason is Reason.LATENCY_UNKNOWN
    empty = WindowStats(stats(Phase.BEFORE), stats(Phase.DURING),
                        stats(Phase.AFTER, count=0, p99=None), 0, None, "end")  # fmt: skip
    v = verdict(Budget(max_error_rate={"after": 0.1}), latency=empty)
    assert v.reason is Reason.LATENCY_UNKNOWN


def test_expect_unavailable() -> None:
    assert verdict(Budget(expect="unavailable")).passed
    v = verdict(Budget(expect="unavailable"), recovery=NO_IMPACT)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.OUTAGE_EXPECTED_BUT_AVAILABLE)
    assert verdict(Budget(expect="unavailable"), recovery=NEVER).passed  # outage, stays down
    v = verdict(Budget(expect="unavailable"), recovery=None)
    assert v.reason is Reason.OUTAGE_UNKNOWN
    assert verdict(Budget(expect="unavailable"), recovery=None, latency=latency(5)).passed


def test_every_measurement_listed_without_budget() -> None:
    v = verdict(Budget(recovery_time_s=10), data=CLEAN_DATA, latency=latency())
    names = [m.name for m in v.measurements]
    assert "lost_writes" in names and "p99_ms.after" in names and "error_rate.before" in names
    unbudgeted = [m for m in v.measurements if m.budget is None]
    assert unbudgeted and all(m.ok is None for m in unbudgeted)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"recovery_time_s": -1.0}, "recovery_time_s must be >= 0, got -1.0"),
        ({"max_lost_writes": -2}, "max_lost_writes must be >= 0, got -2"),
        ({"max_unexpected": -1}, "max_unexpected must be >= 0"),
        ({"max_p99_ms": -5.0}, "max_p99_ms must be >= 0"),
        ({"max_error_rate": 1.5}, "max_error_rate must be between 0 and 1, got 1.5"),
        ({"max_error_rate": {"during": -0.1}}, "max_error_rate.during must be between 0 and 1"),
        ({"max_error_rate": {}}, "max_error_rate mapping is empty"),
        ({"max_error_rate": {"sometime": 0.1}}, "sometime"),
        ({"recovery_time_s": "10"}, "valid number"),
        ({"max_lost_writes": 1.5}, "valid integer"),
        ({"max_lost_writes": True}, "valid integer"),
        ({"recovery_time_s": 1, "recovery_time": 1}, "Extra inputs are not permitted"),
        ({"expect": "maybe"}, "available"),
    ],
)
def test_budget_validation(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Budget.model_validate(kwargs)
    assert fragment in str(exc.value)


def test_budget_is_frozen_and_accepts_ints_for_floats() -> None:
    b = Budget(recovery_time_s=10)
    assert b.recovery_time_s == 10.0
    with pytest.raises(ValidationError):
        b.recovery_time_s = 3
    assert Budget(max_error_rate=0.5).error_rate_limits() == dict.fromkeys(Phase, 0.5)


def test_duplicates_fail_once_a_data_limit_is_set() -> None:
    data = replace(CLEAN_DATA, valid=False, duplicated=("k1",))
    v = verdict(Budget(max_lost_writes=0), data=data)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.DUPLICATED_WRITES)
    assert verdict(Budget(recovery_time_s=10), data=data).passed  # no data limit, only listed


def test_split_brain_overlap_fails_against_its_budget() -> None:
    from hachaos.checks.overlap import OverlapWindow, PrimaryOverlap
    from hachaos.checks.recovery import Recovery, RecoveryStatus
    from hachaos.checks.steady import SteadyState
    from hachaos.verdict import Budget, Reason, VerdictOutcome, judge

    steady = SteadyState(True, "ok", 10, 10)
    rec = Recovery(RecoveryStatus.NO_IMPACT, 0.0, 0.05, 1, (), 20)
    window = OverlapWindow(1_000_000_000, 2_500_000_000, ("pg-1", "pg-2"))
    split = PrimaryOverlap(False, ("pg-1", "pg-2"), (), (window,), 1.5, 0)
    budget = Budget(recovery_time_s=20, max_primary_overlap_s=0)
    verdict = judge(budget, steady=steady, recovery=rec, overlap=split)
    assert (verdict.outcome, verdict.reason) == (VerdictOutcome.FAIL, Reason.SPLIT_BRAIN)
    assert "primary_overlap_s=1.50s > 0s" in verdict.summary()
    clean = PrimaryOverlap(True, ("pg-1", "pg-2"), (), (), 0.0, 0)
    assert judge(budget, steady=steady, recovery=rec, overlap=clean).passed
    unknown = judge(budget, steady=steady, recovery=rec, overlap=None)
    assert (unknown.outcome, unknown.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.DATA_UNKNOWN)


def test_unconfirmed_past_the_budget_is_a_fail_with_a_lower_bound() -> None:
    rec = replace(NEVER, status=RecoveryStatus.UNCONFIRMED, lower_bound_s=30.2, note="short")
    v = verdict(Budget(recovery_time_s=10), recovery=rec)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.RECOVERY_TOO_SLOW)
    assert v.detail.startswith("recovery > 30.2s (clients still failing then")
    assert "budget 10s" in v.detail
    assert "recovery_time_s≥30.20s (lower bound) > 10s" in v.summary()


def test_unconfirmed_within_the_budget_stays_inconclusive() -> None:
    rec = replace(NEVER, status=RecoveryStatus.UNCONFIRMED, lower_bound_s=4.0, note="short")
    v = verdict(Budget(recovery_time_s=10), recovery=rec)
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.RECOVERY_UNCONFIRMED)
    assert "recovery_time_s≥4s (lower bound) ≤ 10s" not in v.summary()  # ok unknown: no ≤
    assert "recovery_time_s≥4s (lower bound; budget 10s)" in v.summary()


def test_still_failing_at_the_end_past_the_budget_is_too_slow() -> None:
    v = verdict(Budget(recovery_time_s=10), recovery=replace(NEVER, lower_bound_s=31.0))
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.RECOVERY_TOO_SLOW)
    assert "still failing at end of observation" in v.detail
    v = verdict(Budget(recovery_time_s=40), recovery=replace(NEVER, lower_bound_s=31.0))
    assert v.reason is Reason.NEVER_RECOVERED


LOSSY = replace(CLEAN_DATA, valid=False, lost=("k1", "k2", "k3"))
WINDOW = LossWindow(2.5, 3, 10**9, "first failure")


def test_lost_writes_without_a_loss_budget_fail() -> None:
    v = verdict(Budget(recovery_time_s=10), data=LOSSY, loss=WINDOW)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.LOST_WRITES)
    assert "3 of 50 acknowledged writes lost" in v.detail and "budgets no loss" in v.detail
    assert "loss_window_s=2.50s" in v.summary()


def test_a_ledger_with_no_loss_budget_and_no_read_is_inconclusive() -> None:
    data = SetResult(None, "no complete final read", 50, 50)
    v = verdict(Budget(recovery_time_s=10), data=data)
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.DATA_UNKNOWN)
    assert verdict(Budget(recovery_time_s=10), data=CLEAN_DATA).passed


def test_loss_window_against_its_budget() -> None:
    v = verdict(Budget(recovery_time_s=10, max_loss_window_s=1), data=LOSSY, loss=WINDOW)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.LOSS_WINDOW)
    assert "reach back 2.50s from the failover (first failure), budget 1s" in v.detail
    assert "loss_window_s=2.50s > 1s" in v.summary()


def test_budgeted_loss_passes_and_says_so() -> None:
    budget = Budget(recovery_time_s=10, max_lost_writes=5, max_loss_window_s=3)
    v = verdict(budget, data=LOSSY, loss=WINDOW)
    assert v.passed and "3 acknowledged write(s) LOST" in v.detail
    assert "loss_window_s=2.50s ≤ 3s" in v.summary()


def test_loss_window_budget_without_data_is_unknown() -> None:
    data = SetResult(None, "no complete final read", 50, 50)
    v = verdict(Budget(max_loss_window_s=3), data=data)
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.DATA_UNKNOWN)


def test_errors_before_the_fault_fail_even_when_steady() -> None:
    before = BeforeFault(400, 3, "write fail (ReadOnlySqlTransaction)", 2)
    v = verdict(Budget(recovery_time_s=10), before=before)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.ERRORS_BEFORE_FAULT)
    assert "3 of 400 probe ops failed before the fault" in v.detail
    assert "ReadOnlySqlTransaction" in v.detail
    assert "errors_before_fault=3 > 0" in v.summary()


def test_errors_before_the_fault_judged_by_an_explicit_before_rate() -> None:
    before = BeforeFault(400, 3, "write fail", 0)
    budget = Budget(recovery_time_s=10, max_error_rate={"before": 0.01})
    assert verdict(budget, before=before, latency=latency()).passed
    clean = verdict(Budget(recovery_time_s=10), before=BeforeFault(400, 0, "", 5))
    assert clean.passed and "errors_before_fault=0 ≤ 0" in clean.summary()


def test_a_stack_that_did_not_re_form_fails() -> None:
    heal = HealReport(False, 101.0, "rabbit-3: app stopped, sees rabbit-3")
    v = verdict(Budget(recovery_time_s=10), heal=heal)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.NOT_HEALED)
    assert "NOT healed after 101.0s: rabbit-3: app stopped" in v.detail
    assert "heal_s=101s" in v.summary()


def test_a_harness_repair_fails_unless_allowed() -> None:
    heal = HealReport(True, 30.0, "cluster whole", ("rabbit-2",))
    v = verdict(Budget(recovery_time_s=10), heal=heal)
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.HARNESS_REPAIR)
    assert "harness repaired it (rabbit-2)" in v.detail
    assert "harness_repairs=1 > 0" in v.summary()
    v = verdict(Budget(recovery_time_s=10, allow_harness_repair=True), heal=heal)
    assert v.passed and "HARNESS REPAIRED the stack (rabbit-2)" in v.detail
    assert "harness_repairs=1" in v.summary()
    clean = verdict(Budget(recovery_time_s=10), heal=HealReport(True, 3.0, "cluster whole"))
    assert clean.passed and "harness_repairs=0 ≤ 0" in clean.summary()


def test_budget_has_limits_only_with_a_limit_or_an_expected_outage() -> None:
    assert not Budget().has_limits()
    assert not Budget(expect="available").has_limits()
    assert Budget(expect="unavailable").has_limits()
    assert Budget(max_lost_writes=0).has_limits()
