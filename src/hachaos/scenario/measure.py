"""From the final history to the verdict: every checker once, then `verdict.judge`."""

from __future__ import annotations

from dataclasses import dataclass

from hachaos.checks.builds import BuildLedgerResult
from hachaos.checks.data import SetResult
from hachaos.checks.expectations import WindowCheck, expectation
from hachaos.checks.latency import WindowStats, windows
from hachaos.checks.loss import loss_window
from hachaos.checks.origins import Origins, origins
from hachaos.checks.overlap import PrimaryOverlap, primary_overlap
from hachaos.checks.recovery import Recovery, recovery_time
from hachaos.checks.steady import BeforeFault, SteadyState, before_fault
from hachaos.checks.step_times import StepTime, wait_times
from hachaos.events import EventBus, Message, Parameter
from hachaos.history import History
from hachaos.scenario.fault_phase import FaultOutcome
from hachaos.scenario.phases import PROBE_PROCESS, probe_process
from hachaos.spec.scenario import ScenarioSpec
from hachaos.spec.schedule import windows_of
from hachaos.spec.steps import WaitStep
from hachaos.topology.base import ClaimReport
from hachaos.verdict import Verdict, judge
from hachaos.workloads.http_load import LOAD_PROCESS

NO_ORIGINS = Origins()


@dataclass(frozen=True)
class Measured:
    """Every checker's result, computed once from the final history."""

    recovery: Recovery | None  # None when there was no steady state to recover to
    latency: WindowStats | None
    overlap: PrimaryOverlap
    history: History
    before: BeforeFault | None = None  # errors between the first ok probe op and the inject
    expectations: tuple[WindowCheck, ...] = ()  # the steps' expectation windows
    origins: Origins = NO_ORIGINS  # where the steps start the clocks (none: the first inject)
    waits: tuple[StepTime, ...] = ()  # how long each named wait took
    load: WindowStats | None = None  # the HTTP load's requests, per window


NO_OVERLAP = PrimaryOverlap(True, (), (), (), 0.0, None)


def measure(
    spec: ScenarioSpec, history: History, steady: SteadyState, *, multi_writer: bool = False
) -> Measured:
    """Run the checkers on the probe's ops (and the windows' probes). With `multi_writer` (a
    quorum cluster: every member acknowledges writes at once, by design) there is no primary
    whose overlap could be split brain."""
    overlap = NO_OVERLAP if multi_writer else primary_overlap(history)
    if not steady.ok:
        return Measured(None, None, overlap, history)
    o = origins(history, spec.recovery.from_step)
    sustain = spec.recovery.sustain_ops
    return Measured(
        recovery_time(history, process=PROBE_PROCESS, sustain_ops=sustain, origin_ns=o.recovery_ns),
        windows(history, process=PROBE_PROCESS, origin_ns=o.first_action_ns),
        overlap,
        history,
        before_fault(history, process=PROBE_PROCESS, origin_ns=o.first_action_ns),
        expectations(spec, history),
        o,
        tuple(wait_times(history, named_waits(spec))),
        windows(history, process=LOAD_PROCESS, origin_ns=o.first_action_ns)
        if spec.load is not None
        else None,
    )


def named_waits(spec: ScenarioSpec) -> list[tuple[int, str, float]]:
    """(index, name, deadline) of every named wait step of the schedule."""
    return [
        (i, step.name, step.deadline_s)
        for i, step in enumerate(spec.schedule)
        if isinstance(step, WaitStep) and step.name is not None
    ]


def expectations(spec: ScenarioSpec, history: History) -> tuple[WindowCheck, ...]:
    """Each expectation window of the schedule, judged on its probe's ops."""
    return tuple(
        expectation(
            history,
            name=w.name,
            probe=w.spec.probe,
            process=probe_process(w.spec.probe),
            state=w.spec.state,
            grace_s=w.spec.grace_s,
            opened_at=w.opened_at,
            closed_at=w.closed_at,
        )
        for w in windows_of(spec.schedule)
    )


def report_measured(bus: EventBus, measured: Measured) -> None:
    """Split brain as probe and ledger saw it, and each window's counts, for the report."""
    for w in measured.expectations:
        if w.observed:
            bus.emit(Parameter(f"expect.{w.name}", f"{w.probe} {w.state}: {w.counts()}"))
    ov = measured.overlap
    if not ov.nodes:
        return
    text = "none" if ov.ok else f"{ov.total_s:.3f}s over {len(ov.overlaps)} window(s)"
    bus.emit(Parameter("primary overlap", f"{text} (acknowledging: {', '.join(ov.nodes)})"))
    if not ov.ok:
        bus.emit(Message(f"split brain: two primaries acknowledged writes for {text}", "warning"))


def judge_run(
    spec: ScenarioSpec,
    measured: Measured,
    steady: SteadyState,
    fault: FaultOutcome,
    *,
    data: SetResult | None = None,
    claims: tuple[ClaimReport, ...] = (),
    builds: BuildLedgerResult | None = None,
) -> Verdict:
    """The verdict of one run from what was measured and what the fault phase left."""
    loss_origin = measured.origins.first_action_ns
    return judge(
        spec.budget,
        steady=steady,
        recovery=measured.recovery,
        latency=measured.latency,
        data=data,
        fault_effective=fault.effective or not steady.ok,
        overlap=measured.overlap if steady.ok else None,
        loss=loss_window(measured.history, data.lost, loss_origin) if data is not None else None,
        before=measured.before,
        heal=fault.heal,
        claims=claims,
        failed_step=fault.failed_step,
        expectations=measured.expectations,
        waits=measured.waits,
        builds=builds,
        load=measured.load,
    )
