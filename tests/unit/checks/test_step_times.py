"""Named waits' durations: measured from step events, shown next to their deadlines."""

from __future__ import annotations

from hachaos.checks.recovery import Recovery, RecoveryStatus
from hachaos.checks.steady import SteadyState
from hachaos.checks.step_times import StepTime, wait_times
from hachaos.history import History, StepEvent, StepOutcome
from hachaos.verdict import Budget, VerdictOutcome, judge

S = 10**9


def _history() -> History:
    h = History()
    h.add_step(StepEvent(0, "cut", "inject", 0, S // 10, StepOutcome.OK))
    h.add_step(StepEvent(1, "caught-up", "wait", 5 * S, 7 * S + S // 2, StepOutcome.OK))
    h.add_step(StepEvent(2, "never", "wait", 8 * S, 8 * S, StepOutcome.SKIPPED))
    return h


def test_wait_times_come_from_the_recorded_steps() -> None:
    times = wait_times(_history(), [(1, "caught-up", 30.0), (2, "never", 5.0), (3, "gone", 1.0)])
    assert times == [StepTime("caught-up", 2.5, 30.0)]
    assert times[0].within


def test_wait_times_are_measurements_of_the_verdict() -> None:
    steady = SteadyState(True, "ok", 10, 10)
    rec = Recovery(RecoveryStatus.NO_IMPACT, 0.0, 0.05, 0, (), 100, 0, 0.05, "no impact")
    v = judge(
        Budget(recovery_time_s=5), steady=steady, recovery=rec, waits=[StepTime("up", 2.5, 30)]
    )
    assert v.outcome is VerdictOutcome.PASS
    [m] = [m for m in v.measurements if m.name == "wait.up_s"]
    assert (m.value, m.budget, m.ok) == (2.5, 30, True)
    assert m.render() == "wait.up_s=2.50s ≤ 30s"
