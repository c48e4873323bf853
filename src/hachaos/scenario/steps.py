"""Runs a scenario's steps in order.

Each step is recorded in the history (a StepEvent with its start, end and outcome), shown as
a report step and as progress lines, and bounded by a deadline. Injected faults are held in
the caller's ExitStack, so whatever happens (a failed step, an error, Ctrl-C) they are
reverted when it closes, and the reaper's journal covers a runner that dies. After a failed
step the remaining steps are recorded as skipped.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, replace

from hachaos.events import Progress, StepFinished, StepStarted
from hachaos.history import StepEvent, StepOutcome
from hachaos.redact import redact
from hachaos.scenario.context import RunContext
from hachaos.scenario.step_actions import Held, StepResult, perform
from hachaos.spec.schedule import step_ref
from hachaos.spec.steps import StepBase


@dataclass(frozen=True)
class ScheduleOutcome:
    """What the schedule leaves for the verdict."""

    failed_step: str | None  # the failed step and what it observed (None: none failed)
    targets: tuple[str, ...]  # every node or link an inject step hit
    effective: bool  # every injected fault took effect
    stopped: bool  # the schedule stopped early (a failed step, a fault that did not hold)


def run_schedule(ctx: RunContext, faults: ExitStack) -> ScheduleOutcome:
    """Run every step of `ctx.spec` in order, holding injected faults in `faults`."""
    held = Held(faults)
    steps = ctx.spec.schedule
    failed: str | None = None
    stopped = False
    for index, step in enumerate(steps):
        if stopped:
            now = ctx.clock.now_ns()
            _record(ctx, StepEvent(index, step.name, step.kind, now, now, StepOutcome.SKIPPED))
            continue
        result = _run_one(ctx, index, step, held)
        if not result.ok:
            failed = f"{step_ref(index, step)} failed: {step.describe()}: {result.detail}"
        stopped = not result.ok or result.stop
    return ScheduleOutcome(failed, held.targets(), held.effective(), stopped)


def _run_one(ctx: RunContext, index: int, step: StepBase, held: Held) -> StepResult:
    """One step as a report step, a progress line each side, and a StepEvent."""
    n = len(ctx.spec.schedule)
    title = f"step {index + 1}/{n}: {step.label}"
    what = step.describe()
    ctx.bus.emit(StepStarted(title, {"kind": step.kind, "does": what}))
    ctx.bus.emit(Progress("step", f"{index + 1}/{n} {step.label}: {what}"))
    start = ctx.clock.now_ns()
    try:
        result = _redacted(perform(step, ctx, held))
    except BaseException as exc:
        detail = redact(f"{type(exc).__name__}: {exc}")
        _record(ctx, _event(ctx, index, step, start, outcome=StepOutcome.FAILED, detail=detail))
        ctx.bus.emit(StepFinished(title, detail))
        raise
    outcome = StepOutcome.OK if result.ok else StepOutcome.FAILED
    _record(ctx, _event(ctx, index, step, start, outcome=outcome, detail=result.detail))
    took = (ctx.clock.now_ns() - start) / 1e9
    ctx.bus.emit(
        Progress("step", f"{index + 1}/{n} {step.label}: {outcome} ({took:.1f}s) {result.detail}")
    )
    ctx.bus.emit(StepFinished(title, None if result.ok else result.detail))
    return result


def _redacted(result: StepResult) -> StepResult:
    """The result with secrets masked in what it observed (command output, errors)."""
    return replace(result, detail=redact(result.detail))


def _event(
    ctx: RunContext, index: int, step: StepBase, start: int, *, outcome: StepOutcome, detail: str
) -> StepEvent:
    """The event of a step that started at `start` and ends now."""
    return StepEvent(index, step.name, step.kind, start, ctx.clock.now_ns(), outcome, detail)


def _record(ctx: RunContext, event: StepEvent) -> None:
    ctx.history.add_step(event)
