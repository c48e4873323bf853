"""What each kind of step does, and how it is described in reports.

Every action returns a StepResult; a failed runbook command or an expired wait is a result
(`ok` False), never an exception: it is a finding about the system under test. A fault that
did not take effect stops the schedule without blaming the system (`stop`).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field

from hachaos.errors import HachaosError
from hachaos.faults.base import Fault
from hachaos.scenario.commands import NodeRun, matches, run_on
from hachaos.scenario.context import RunContext
from hachaos.scenario.step_waits import wait_command, wait_probe
from hachaos.spec.steps import (
    CloseStep,
    CommandWaitSpec,
    ExpectStep,
    HoldStep,
    InjectStep,
    RevertStep,
    RunStep,
    StepBase,
    WaitStep,
)


@dataclass(frozen=True)
class StepResult:
    """How a step ended: `ok`, what was observed, and whether the schedule must stop."""

    ok: bool
    detail: str
    stop: bool = False


@dataclass
class Held:
    """The faults the schedule's inject steps hold, by step name, until reverted."""

    stack: ExitStack
    faults: dict[str, list[Fault]] = field(default_factory=dict)

    def targets(self) -> tuple[str, ...]:
        """Every target an inject step hit, in order."""
        return tuple(f.target for faults in self.faults.values() for f in faults)

    def effective(self) -> bool:
        """True when every injected fault was confirmed to hold."""
        return all(f.effective for faults in self.faults.values() for f in faults)


def perform(step: StepBase, ctx: RunContext, held: Held) -> StepResult:
    """Run one step."""
    if isinstance(step, InjectStep | RevertStep):
        return _fault_step(step, ctx, held)
    if isinstance(step, RunStep | WaitStep):
        return _check_step(step, ctx)
    return _schedule_step(step, ctx)


def _fault_step(step: InjectStep | RevertStep, ctx: RunContext, held: Held) -> StepResult:
    if isinstance(step, InjectStep):
        return _inject(step, ctx, held)
    return _revert(step, held)


def _check_step(step: RunStep | WaitStep, ctx: RunContext) -> StepResult:
    if isinstance(step, RunStep):
        return _run(step, ctx)
    if isinstance(step.wait, CommandWaitSpec):
        result = wait_command(ctx, step.wait, step.deadline_s)
    else:
        result = wait_probe(ctx, step.wait, step.deadline_s)
    return StepResult(result.ok, result.detail)


def _schedule_step(step: StepBase, ctx: RunContext) -> StepResult:
    """hold_s, expect and close: the schedule's own steps."""
    if isinstance(step, HoldStep):
        ctx.clock.wait(step.hold_s)
        return StepResult(True, f"held {step.hold_s:g}s")
    if isinstance(step, ExpectStep | CloseStep):
        return StepResult(True, step.describe())
    raise HachaosError(f"no action for a step of kind {step.kind!r}")


def _inject(step: InjectStep, ctx: RunContext, held: Held) -> StepResult:
    assert step.name is not None  # an inject step is named (validated)
    faults = ctx.build_faults(step.inject)
    held.faults[step.name] = []
    for fault in faults:
        held.faults[step.name].append(held.stack.enter_context(fault))
    targets = ", ".join(f.target for f in faults)
    if all(f.effective for f in faults):
        return StepResult(True, f"{step.inject.action} -> {targets}")
    return StepResult(True, f"{step.inject.action} -> {targets} (did NOT take effect)", stop=True)


def _revert(step: RevertStep, held: Held) -> StepResult:
    faults = held.faults.get(step.revert, [])
    for fault in faults:
        fault.revert()
    return StepResult(True, f"reverted {', '.join(f.target for f in faults) or 'nothing'}")


def _run(step: RunStep, ctx: RunContext) -> StepResult:
    spec = step.run
    deadline = ctx.clock.now_ns() + int(spec.timeout_s * 1e9)
    try:
        nodes = ctx.targets(spec.target)
    except HachaosError as exc:  # e.g. no node holds the role now: the runbook cannot go on
        return StepResult(False, f"no node to run it on: {exc}")
    runs = run_on(nodes, spec.command, spec.timeout_s, deadline, ctx.clock)
    wrong = [r for r in runs if not _as_expected(r, spec.expect_exit, spec.expect_output)]
    text = "; ".join(r.describe() for r in (wrong or runs))
    if not wrong:
        return StepResult(True, text)
    want = f"exit {spec.expect_exit}" + (
        f" and output matching {spec.expect_output!r}" if spec.expect_output else ""
    )
    return StepResult(False, f"expected {want}; got {text}")


def _as_expected(run: NodeRun, exit_code: int, output: str | None) -> bool:
    result = run.result
    return result is not None and result.exit_code == exit_code and matches(output, result.output)
