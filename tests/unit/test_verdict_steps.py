"""The verdict of a scenario with steps: a failed step, expectation windows."""

from __future__ import annotations

from hachaos.checks.expectations import WindowCheck
from hachaos.checks.recovery import Recovery, RecoveryStatus
from hachaos.checks.steady import SteadyState
from hachaos.verdict import Budget, Reason, Verdict, VerdictOutcome, judge, window_error_rate

STEADY = SteadyState(True, "ok", 10, 10)
RECOVERED = Recovery(RecoveryStatus.RECOVERED, 2.0, 0.05, 1, (), 40)


def w(state: str, ok: int, failed: int, opened: bool = True) -> WindowCheck:
    start = 1_000 if opened else None
    return WindowCheck(
        "maint", "main", state, 2.0, start, 5_000_000_000 if opened else None, ok, failed
    )


def verdict(budget: Budget, *windows: WindowCheck, failed_step: str | None = None) -> Verdict:
    return judge(
        budget,
        steady=STEADY,
        recovery=RECOVERED,
        expectations=windows,
        failed_step=failed_step,
    )


def test_a_failed_step_fails_the_run_naming_it() -> None:
    v = verdict(Budget(recovery_time_s=10), failed_step="step 4 ('failed-over') failed: ...")
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.STEP_FAILED)
    assert v.detail == "step 4 ('failed-over') failed: ..."


def test_a_failed_step_is_not_hidden_by_an_ineffective_fault() -> None:
    v = judge(Budget(), steady=STEADY, recovery=None, fault_effective=False, failed_step="x")
    assert v.reason is Reason.STEP_FAILED


def test_unavailable_window_with_successes_is_a_split_brain_finding() -> None:
    v = verdict(Budget(), w("unavailable", ok=3, failed=50))
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.EXPECTATION_FAILED)
    assert "writes still succeeded: split-brain finding (3 ok, 50 failed of 53 ops" in v.detail
    [m] = [m for m in v.measurements if m.name.startswith("expect.")]
    assert m.render() == "expect.maint.ok_ops=3 > 0"


def test_unavailable_window_with_only_failures_passes() -> None:
    v = verdict(Budget(), w("unavailable", ok=0, failed=50))
    assert v.passed
    [m] = [m for m in v.measurements if m.name.startswith("expect.")]
    assert m.render() == "expect.maint.ok_ops=0 ≤ 0"


def test_a_window_without_ops_is_inconclusive() -> None:
    v = verdict(Budget(), w("unavailable", ok=0, failed=0))
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.EXPECTATION_UNKNOWN)


def test_a_window_never_opened_adds_no_finding() -> None:
    v = verdict(Budget(), w("unavailable", 0, 0, opened=False))
    assert v.passed
    [m] = [m for m in v.measurements if m.name.startswith("expect.")]
    assert (m.value, m.budget) == (None, 0)


def test_available_window_uses_the_error_rate_budget() -> None:
    window = w("available", ok=95, failed=5)
    strict = verdict(Budget(), window)
    assert (strict.outcome, strict.reason) == (VerdictOutcome.FAIL, Reason.EXPECTATION_FAILED)
    assert "error rate 0.050 > 0 (95 ok, 5 failed of 100 ops" in strict.detail
    assert window_ok(Budget(max_error_rate=0.05), window)
    assert not window_ok(Budget(max_error_rate={"during": 0.01}), window)
    assert window_ok(Budget(max_error_rate={"during": 0.1, "after": 0.0}), window)


def window_ok(budget: Budget, window: WindowCheck) -> bool | None:
    """The window's own judgement (the budget's other limits need latency stats)."""
    v = verdict(budget, window)
    [m] = [m for m in v.measurements if m.name == "expect.maint.error_rate"]
    assert (v.reason is Reason.EXPECTATION_FAILED) == (m.ok is False)
    return m.ok


def test_window_error_rate() -> None:
    assert window_error_rate(Budget()) == 0.0
    assert window_error_rate(Budget(max_error_rate=0.2)) == 0.2
    assert window_error_rate(Budget(max_error_rate={"after": 0.2})) == 0.0
