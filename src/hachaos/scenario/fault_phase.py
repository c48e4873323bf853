"""The middle of a scenario run: the fault (short form) or the schedule of steps, then the
revert of every fault and the stack's heal."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

from hachaos.checks.origins import origins
from hachaos.checks.recovery import Recovery, RecoveryStatus
from hachaos.events import Message, Parameter, Progress
from hachaos.faults.registry import hold_s
from hachaos.scenario.context import RunContext
from hachaos.scenario.phases import await_ops, await_recovery
from hachaos.scenario.steps import run_schedule
from hachaos.spec.faults import FaultSpec
from hachaos.topology import resolver_for
from hachaos.topology.base import Healable, HealReport, combine_heals


@dataclass(frozen=True)
class FaultOutcome:
    """What the fault phase leaves for the verdict: the targets (() when the fault was not
    confirmed effective), whether every fault took effect, how the stack healed afterwards
    (None: its topology cannot tell) and, with steps, the step that failed."""

    targets: tuple[str, ...] = ()
    heal: HealReport | None = None
    effective: bool = False
    failed_step: str | None = None


def fault_phase(run: RunContext, fault: FaultSpec) -> FaultOutcome:
    """Inject, observe until recovered (and the hold time passed), revert, await the heal,
    then observe again until clients have recovered from what the revert did to them."""
    spec, bus = run.spec, run.bus
    with ExitStack() as active:
        with bus.step("inject", action=fault.action):
            injected = [active.enter_context(f) for f in run.build_faults(fault)]
        effective = all(f.effective for f in injected)
        targets = ", ".join(f.target for f in injected)
        bus.emit(Parameter("fault targets", targets))
        state = "" if effective else " (did NOT take effect)"
        bus.emit(Progress("inject", f"{fault.action} -> {targets}{state}"))
        if effective:
            with bus.step("recover", observe_s=f"{spec.recovery.observe_s:g}"):
                rec = await_recovery(
                    run.history,
                    spec.recovery,
                    run.clock,
                    hold_s(fault),
                    progress=bus.progress("recovering"),
                    budget_s=spec.budget.recovery_time_s,
                )
            bus.emit(Progress("recovering", _recovery_line(rec)))
        with bus.step("revert"):
            active.close()
        bus.emit(Progress("revert", "every fault reverted"))
    heal = _heal(run)
    if effective:
        _observe_recovery(run)
    return FaultOutcome(tuple(f.target for f in injected) if effective else (), heal, effective)


def steps_phase(run: RunContext) -> FaultOutcome:
    """Run the schedule, revert whatever is still injected (always), await the heal."""
    with ExitStack() as held:
        outcome = run_schedule(run, held)
        with run.bus.step("revert"):
            held.close()
        run.bus.emit(Progress("revert", "every fault reverted"))
    if outcome.targets:
        run.bus.emit(Parameter("fault targets", ", ".join(outcome.targets)))
    heal = _heal(run)
    if not outcome.stopped:
        _observe_recovery(run)
    targets = outcome.targets if outcome.effective else ()
    return FaultOutcome(targets, heal, outcome.effective, outcome.failed_step)


def _observe_recovery(run: RunContext) -> None:
    """After the fault or schedule, its reverts and the heal: observe (within
    `recovery.observe_s`) until clients have recovered since the recovery origin, so recovery
    can be confirmed.

    The reverts themselves can disturb clients (a restarted node, a Sentinel that still names
    the old master): `sustain_ops` ops after them are seen first, so a recovery reached before
    the reverts does not end the observation before their effect shows; a disturbance is an
    extra outage window, and recovery is measured to the end of the last one."""
    spec, bus = run.spec, run.bus
    origin = origins(run.history, spec.recovery.from_step).recovery_ns
    with bus.step("recover", observe_s=f"{spec.recovery.observe_s:g}"):
        await_ops(run.history, spec.recovery.sustain_ops, run.clock, spec.recovery.observe_s)
        rec = await_recovery(
            run.history,
            spec.recovery,
            run.clock,
            progress=bus.progress("recovering"),
            budget_s=spec.budget.recovery_time_s,
            origin_ns=origin,
        )
    bus.emit(Progress("recovering", _recovery_line(rec)))


def _recovery_line(rec: Recovery) -> str:
    if rec.status is RecoveryStatus.RECOVERED and rec.recovery_s is not None:
        return f"recovered after {rec.recovery_s:.2f}s (±{rec.resolution_s:.2f}s)"
    if rec.status is RecoveryStatus.NO_IMPACT:
        return "no client impact"
    return f"not recovered: {rec.status}{f' ({rec.note})' if rec.note else ''}"


def _heal(run: RunContext) -> HealReport | None:
    """After revert: wait (bounded by the stack's ready timeout) until the stack has re-formed,
    where its topology can tell (each included stack's too, one after the other). The report is
    judged (``not-healed``, ``harness-repair``)."""
    healers = [
        (view, r) for view in run.stack.views() if isinstance(r := resolver_for(view), Healable)
    ]
    if not healers:
        return None
    timeout_s = max(view.spec.ready_timeout_s for view, _ in healers)
    with run.bus.step("heal", timeout_s=f"{timeout_s:g}"):
        report = combine_heals([r.await_healed(v.spec.ready_timeout_s) for v, r in healers])
    run.bus.emit(Parameter("heal", report.summary()))
    run.bus.emit(Progress("heal", report.summary()))
    if not report.healed:
        run.bus.emit(Message(f"stack did not re-form after the fault: {report.detail}", "error"))
    elif report.repaired:
        what = ", ".join(report.repaired)
        run.bus.emit(Message(f"the harness repaired the stack to re-form it: {what}", "warning"))
    return report
