"""Run one scenario against a running stack: record first, judge after."""

from __future__ import annotations

import random
from contextlib import ExitStack
from dataclasses import dataclass

from hachaos.checks.latency import windows
from hachaos.checks.recovery import recovery_time
from hachaos.checks.steady import SteadyState
from hachaos.clock import REAL_CLOCK, Clock
from hachaos.events import Attachment, EventBus, Parameter
from hachaos.faults.base import Fault
from hachaos.faults.registry import FaultContext, build_faults, hold_s
from hachaos.history import History
from hachaos.probes.factory import make_probe
from hachaos.probes.runner import ProbeRunner
from hachaos.running import RunningStack
from hachaos.scenario.phases import await_ops, await_recovery, await_steady
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.scenario import ScenarioSpec
from hachaos.topology import resolver_for
from hachaos.verdict import Verdict, judge


@dataclass(frozen=True)
class _Run:
    """Everything one scenario run shares between its phases."""

    spec: ScenarioSpec
    stack: RunningStack
    history: History
    rng: random.Random
    bus: EventBus
    clock: Clock

    def build_faults(self) -> list[Fault]:
        ctx = FaultContext(self.stack, resolver_for(self.stack), self.history, self.rng, self.clock)
        return build_faults(self.spec.fault, ctx)


def _fault_phase(run: _Run) -> tuple[str, ...]:
    """Inject, observe until recovered (and the hold time passed), revert; returns the targets
    when every fault was confirmed effective, else ()."""
    spec, bus = run.spec, run.bus
    with ExitStack() as active:
        with bus.step("inject", action=spec.fault.action):
            injected = [active.enter_context(f) for f in run.build_faults()]
        effective = all(f.effective for f in injected)
        bus.emit(Parameter("fault targets", ", ".join(f.target for f in injected)))
        if effective:
            with bus.step("recover", observe_s=f"{spec.recovery.observe_s:g}"):
                await_recovery(run.history, spec.recovery, run.clock, hold_s(spec.fault))
        with bus.step("revert"):
            active.close()
    return tuple(f.target for f in injected) if effective else ()


def _judge(spec: ScenarioSpec, history: History, steady: SteadyState, effective: bool) -> Verdict:
    recovery = recovery_time(history, sustain_ops=spec.recovery.sustain_ops) if steady.ok else None
    latency = windows(history) if steady.ok else None
    return judge(
        spec.budget, steady=steady, recovery=recovery, latency=latency, fault_effective=effective
    )


def _report(bus: EventBus, result: ScenarioResult) -> None:
    body = result.history.to_jsonl().encode()
    bus.emit(Attachment("history", body, "application/x-ndjson", "jsonl"))
    bus.emit(Parameter("seed", str(result.seed)))
    bus.emit(Parameter("probe interval", f"{result.probe_interval_s * 1000:g} ms"))
    for m in result.verdict.measurements:
        bus.emit(Parameter(m.name, m.render()))


def run_scenario(
    spec: ScenarioSpec,
    stack: RunningStack,
    bus: EventBus,
    *,
    seed: int | None = None,
    clock: Clock = REAL_CLOCK,
) -> ScenarioResult:
    """Steady state, inject, observe recovery, revert, judge; every fault reverted on any exit."""
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    run = _Run(spec, stack, History(), random.Random(seed), bus, clock)
    interval_s = spec.probe.interval_ms / 1000
    probe = make_probe(spec.probe, stack, prefix=f"hachaos:{stack.run_id}")
    targets: tuple[str, ...] = ()
    with ProbeRunner(probe, run.history, interval_s, clock):
        with bus.step("steady state", samples=str(spec.steady_state.samples)):
            steady = await_steady(run.history, spec.steady_state, clock)
        if steady.ok:
            targets = _fault_phase(run)
            await_ops(run.history, spec.recovery.sustain_ops, clock, spec.recovery.observe_s)
    with bus.step("verdict"):
        verdict = _judge(spec, run.history, steady, effective=bool(targets) or not steady.ok)
    recovery = (
        recovery_time(run.history, sustain_ops=spec.recovery.sustain_ops) if steady.ok else None
    )
    result = ScenarioResult(
        spec.name,
        stack.spec.name,
        stack.run_id,
        seed,
        targets,
        interval_s,
        steady,
        recovery,
        verdict,
        run.history,
    )
    _report(bus, result)
    return result
