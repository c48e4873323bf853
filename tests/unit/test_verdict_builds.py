"""The build ledger in the verdict: lost and stuck builds fail unless budgeted, duplicated and
unacknowledged builds only past a budget the scenario sets."""

from __future__ import annotations

from hachaos.checks.builds import BuildLedgerResult, Spread, unreadable
from hachaos.checks.recovery import Recovery, RecoveryStatus
from hachaos.checks.steady import SteadyState
from hachaos.history import History
from hachaos.verdict import Budget, Reason, Verdict, VerdictOutcome, judge

STEADY = SteadyState(True, "", 20, 20)
RECOVERED = Recovery(RecoveryStatus.RECOVERED, 2.0, 0.1, 1, (), 50)
NONE = Spread(0, None, None, None)


def ledger(lost: int = 0, stuck: int = 0, dup: int = 0, ran: int = 0) -> BuildLedgerResult:
    ids = [f"k{i}" for i in range(10)]
    return BuildLedgerResult(
        100,
        tuple(ids[:lost]),
        tuple(ids[:stuck]),
        tuple(ids[:dup]),
        tuple(ids[:ran]),
        Spread(100, 0.1, 0.4, 0.5),
        NONE,
    )


def verdict(budget: Budget, builds: BuildLedgerResult) -> Verdict:
    return judge(budget, steady=STEADY, recovery=RECOVERED, builds=builds)


def test_clean_ledger_passes_with_its_numbers() -> None:
    v = verdict(Budget(recovery_time_s=10.0), ledger())
    assert v.outcome is VerdictOutcome.PASS
    names = {m.name: m.value for m in v.measurements}
    assert names["builds_acknowledged"] == 100
    assert names["lost_builds"] == 0
    assert names["pickup_p99_s"] == 0.4


def test_a_lost_build_fails_without_a_budget() -> None:
    v = verdict(Budget(recovery_time_s=10.0), ledger(lost=1))
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.LOST_BUILDS)
    assert "1 lost builds > 0: k0" in v.detail


def test_lost_builds_within_their_budget_pass() -> None:
    v = verdict(Budget(recovery_time_s=10.0, max_lost_builds=2), ledger(lost=2))
    assert v.outcome is VerdictOutcome.PASS


def test_a_stuck_build_fails() -> None:
    v = verdict(Budget(recovery_time_s=10.0), ledger(stuck=1))
    assert v.reason is Reason.STUCK_BUILDS


def test_duplicates_are_reported_and_fail_only_past_a_budget() -> None:
    assert verdict(Budget(recovery_time_s=10.0), ledger(dup=3)).passed
    v = verdict(Budget(recovery_time_s=10.0, max_duplicated_builds=2), ledger(dup=3))
    assert v.reason is Reason.DUPLICATED_BUILDS


def test_unacknowledged_builds_fail_past_their_budget() -> None:
    v = verdict(Budget(max_unacknowledged_builds=0), ledger(ran=1))
    assert v.reason is Reason.UNACKNOWLEDGED_BUILDS


def test_an_unread_ledger_is_inconclusive() -> None:
    v = verdict(Budget(recovery_time_s=10.0), unreadable(History(), "refused"))
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.DATA_UNKNOWN)


def test_load_windows_are_measured_and_judged() -> None:
    from hachaos.checks.latency import Phase, PhaseStats, WindowStats

    def phase(p: Phase, rate: float, p99: float) -> PhaseStats:
        return PhaseStats(p, 100, 100, 0, 0, rate, 10.0, 20.0, p99)

    load = WindowStats(
        phase(Phase.BEFORE, 0.0, 50.0),
        phase(Phase.DURING, 0.2, 900.0),
        phase(Phase.AFTER, 0.0, 60.0),
        1,
        2,
        "revert",
    )
    ok = judge(Budget(max_load_p99_ms=1000.0), steady=STEADY, recovery=RECOVERED, load=load)
    assert ok.passed
    names = {m.name: m.value for m in ok.measurements}
    assert names["load.p99_ms.during"] == 900.0
    assert names["load.requests.during"] == 100
    bad = judge(
        Budget(max_load_error_rate={"during": 0.1}), steady=STEADY, recovery=RECOVERED, load=load
    )
    assert bad.reason is Reason.ERROR_RATE
    assert bad.detail == "HTTP load: error rate during = 0.200 > 0.1"


def test_a_load_budget_with_no_requests_is_inconclusive() -> None:
    from hachaos.checks.latency import Phase, PhaseStats, WindowStats

    def empty(p: Phase) -> PhaseStats:
        return PhaseStats(p, 0, 0, 0, 0, None, None, None, None)

    load = WindowStats(empty(Phase.BEFORE), empty(Phase.DURING), empty(Phase.AFTER), 1, 2, "x")
    v = judge(Budget(max_load_error_rate=0.01), steady=STEADY, recovery=RECOVERED, load=load)
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.LATENCY_UNKNOWN)
    assert v.detail == "the HTTP load recorded no requests"
    named = Budget(max_load_error_rate={"during": 0.01})
    v = judge(named, steady=STEADY, recovery=RECOVERED, load=load)
    assert v.detail == "the HTTP load recorded no requests in the during window"
