from __future__ import annotations

from hachaos.checks.steady import SteadyState
from hachaos.topology.base import ClaimReport
from hachaos.topology.patroni import parse_cluster, sync_claim
from hachaos.verdict import Budget, Reason, VerdictOutcome, judge


def _view(*members: tuple[str, str, str]) -> dict[str, object]:
    return {"members": [{"name": n, "role": r, "state": s} for n, r, s in members]}


def test_sync_claim_holds_with_a_streaming_sync_standby() -> None:
    doc = _view(("pg-1", "leader", "running"), ("pg-2", "sync_standby", "streaming"))
    report = sync_claim([parse_cluster("pg-1", doc)])
    assert report.holds and "pg-2" in report.observed


def test_sync_claim_fails_without_one_and_says_what_it_saw() -> None:
    doc = _view(("pg-1", "leader", "running"), ("pg-2", "replica", "streaming"))
    report = sync_claim([parse_cluster("pg-1", doc)])
    assert not report.holds
    assert "no synchronous standby" in report.observed and "pg-2=replica" in report.observed
    assert not sync_claim([]).holds


def test_a_claim_mismatch_fails_the_run_before_anything_else() -> None:
    claim = ClaimReport("replication: sync", False, "no synchronous standby in /cluster")
    steady = SteadyState(True, "ok", 10, 10)
    v = judge(Budget(recovery_time_s=10), steady=steady, recovery=None, claims=(claim,))
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.CLAIM_MISMATCH)
    assert "replication: sync does NOT hold" in v.detail
    assert "claims_mismatched=1 > 0" in v.summary()
    unsteady = SteadyState(False, "only 3 ops", 3, 10)
    v = judge(Budget(recovery_time_s=10), steady=unsteady, recovery=None, claims=(claim,))
    assert v.reason is Reason.NOT_STEADY
