"""Synthetic scenario results and certification records for the certification tests."""

from __future__ import annotations

from typing import TypedDict, Unpack

from hachaos.certification.build import certification, run_record, scenario_record
from hachaos.certification.record import Certification, HostFacts, MeasuredValue, RunRecord
from hachaos.checks.recovery import Recovery, RecoveryStatus
from hachaos.checks.steady import SteadyState
from hachaos.history import FaultEvent, FaultPhase, History, Op, Outcome
from hachaos.scenario.result import ScenarioResult
from hachaos.verdict import Measurement, Reason, Verdict, VerdictOutcome

HOST = HostFacts(kernel="6.1", os="Debian 12", python="3.11.2", engine="docker 20.10")
S = 1_000_000_000


def history() -> History:
    """Ops every 100 ms for 3 s, failing from 1.0 s to 1.5 s; a kill at 1.0 s reverted at 2 s."""
    h = History()
    for i in range(30):
        start = i * S // 10
        outcome = Outcome.FAIL if 10 <= i < 15 else Outcome.OK
        h.add_op(Op("probe", "write", start, start + 2_000_000, outcome))
    h.add_fault(FaultEvent(S, FaultPhase.INJECT, "kill", "redis-1"))
    h.add_fault(FaultEvent(2 * S, FaultPhase.REVERT, "kill", "redis-1"))
    return h


def result(
    scenario: str = "redis-kill-master",
    outcome: VerdictOutcome = VerdictOutcome.PASS,
    *,
    recovery_s: float = 2.0,
    resolution_s: float = 0.1,
    lost: int | None = 0,
    run_id: str = "hc-00000001",
    budget_s: float = 10.0,
) -> ScenarioResult:
    """A judged run with a recovery time, lost writes and an error rate."""
    reason = Reason.WITHIN_BUDGET if outcome is VerdictOutcome.PASS else Reason.RECOVERY_TOO_SLOW
    ms = (
        Measurement(
            "recovery_time_s",
            recovery_s,
            budget_s,
            "s",
            recovery_s <= budget_s,
            resolution_s,
        ),
        Measurement("lost_writes", lost, 0, "", None if lost is None else lost == 0),
        Measurement("error_rate.during", 0.5, None, "", None),
        Measurement("acknowledged", 100, None, "", None),
    )
    rec = Recovery(RecoveryStatus.RECOVERED, recovery_s, resolution_s, S, (), 15, None, 0.1)
    return ScenarioResult(
        scenario=scenario,
        stack="redis-sentinel",
        run_id=run_id,
        seed=42,
        targets=("redis-1",),
        probe_interval_s=0.1,
        steady=SteadyState(True, "", 20, 20),
        recovery=rec,
        verdict=Verdict(outcome, reason, "detail", ms),
        history=history(),
    )


class ResultOptions(TypedDict, total=False):
    """What `runs` passes on to `result` besides the scenario, recovery time and run id."""

    outcome: VerdictOutcome
    resolution_s: float
    lost: int | None
    budget_s: float


def runs(scenario: str, recoveries: list[float], **kw: Unpack[ResultOptions]) -> list[RunRecord]:
    """Run records of repeats with the given recovery times."""
    return [
        run_record(result(scenario, recovery_s=r, run_id=f"hc-{i:08x}", **kw))
        for i, r in enumerate(recoveries)
    ]


def record(*results: ScenarioResult, repeat: int = 1) -> Certification:
    """A certification record of `results`."""
    return certification(
        results,
        version="0.1.0",
        git_sha="abc",
        host=HOST,
        stacks={},
        seed=None,
        repeat=repeat,
    )


def record_of(scenarios: dict[str, list[RunRecord]]) -> Certification:
    """A record holding the given runs per scenario."""
    base = record()
    recs = {n: scenario_record(n, "redis-sentinel", rs) for n, rs in scenarios.items()}
    return base.model_copy(update={"scenarios": recs})


def measured_runs(values: dict[str, list[float]], unit: str = "") -> list[RunRecord]:
    """Passing runs, run k measuring values[name][k] for each name (no budget, no resolution)."""
    count = len(next(iter(values.values())))
    return [
        RunRecord(
            run_id=f"hc-{k:08x}",
            seed=42,
            outcome=VerdictOutcome.PASS,
            reason=Reason.WITHIN_BUDGET.value,
            detail="",
            measurements=[
                MeasuredValue(name=n, value=vs[k], unit=unit) for n, vs in values.items()
            ],
        )
        for k in range(count)
    ]
