"""Run one scenario against a running stack: record first, judge after."""

from __future__ import annotations

import random
from contextlib import ExitStack

from hachaos.checks.recovery import recovery_time
from hachaos.checks.steady import SteadyState
from hachaos.clock import REAL_CLOCK, Clock
from hachaos.events import Attachment, EventBus, Parameter
from hachaos.faults.node_faults import NODE_FAULTS, NodeFault
from hachaos.faults.targets import select_targets
from hachaos.history import History
from hachaos.probes.factory import make_probe
from hachaos.probes.runner import ProbeRunner
from hachaos.running import RunningStack
from hachaos.scenario.phases import await_ops, await_recovery, await_steady
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.scenario import ScenarioSpec
from hachaos.topology import resolver_for
from hachaos.verdict import Verdict, judge


def _inject(
    spec: ScenarioSpec, stack: RunningStack, history: History, rng: random.Random, faults: ExitStack
) -> list[NodeFault]:
    targets = select_targets(spec.fault.target, stack, resolver_for(stack), rng)
    fault_cls = NODE_FAULTS[spec.fault.action.value]
    return [faults.enter_context(fault_cls(node, history)) for node in targets]  # type: ignore[misc]


def _observe_fault(
    spec: ScenarioSpec, stack: RunningStack, history: History, rng: random.Random,
    bus: EventBus, clock: Clock,
) -> tuple[str, ...]:
    with ExitStack() as faults:
        with bus.step("inject", action=spec.fault.action.value):
            injected = _inject(spec, stack, history, rng, faults)
        effective = all(f.effective for f in injected)
        if effective:
            with bus.step("recover", observe_s=f"{spec.recovery.observe_s:g}"):
                await_recovery(history, spec.recovery, clock, spec.fault.duration_s or 0.0)
        bus.emit(Parameter("fault targets", ", ".join(f.target for f in injected)))
        with bus.step("revert"):
            faults.close()
    return tuple(f.target for f in injected) if effective else ()


def _judge(spec: ScenarioSpec, history: History, steady: SteadyState, effective: bool) -> Verdict:
    recovery = recovery_time(history, sustain_ops=spec.recovery.sustain_ops) if steady.ok else None
    return judge(spec.budget, steady=steady, recovery=recovery, fault_effective=effective)


def _report(bus: EventBus, result: ScenarioResult) -> None:
    body = result.history.to_jsonl().encode()
    bus.emit(Attachment("history", body, "application/x-ndjson", "jsonl"))
    bus.emit(Parameter("seed", str(result.seed)))
    bus.emit(Parameter("probe interval", f"{result.probe_interval_s * 1000:g} ms"))
    for m in result.verdict.measurements:
        bus.emit(Parameter(m.name, m.render()))


def run_scenario(
    spec: ScenarioSpec, stack: RunningStack, bus: EventBus, *,
    seed: int | None = None, clock: Clock = REAL_CLOCK,
) -> ScenarioResult:
    """Steady state, inject, observe recovery, revert, judge; every fault reverted on any exit."""
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    history = History()
    interval_s = spec.probe.interval_ms / 1000
    probe = make_probe(spec.probe, stack, prefix=f"hachaos:{stack.run_id}")
    targets: tuple[str, ...] = ()
    with ProbeRunner(probe, history, interval_s, clock):
        with bus.step("steady state", samples=str(spec.steady_state.samples)):
            steady = await_steady(history, spec.steady_state, clock)
        if steady.ok:
            targets = _observe_fault(spec, stack, history, random.Random(seed), bus, clock)
            await_ops(history, spec.recovery.sustain_ops, clock, spec.recovery.observe_s)
    with bus.step("verdict"):
        effective = bool(targets) or not steady.ok
        verdict = _judge(spec, history, steady, effective)
    recovery = recovery_time(history, sustain_ops=spec.recovery.sustain_ops) if steady.ok else None
    result = ScenarioResult(spec.name, stack.spec.name, stack.run_id, seed, targets, interval_s,
                            steady, recovery, verdict, history)
    _report(bus, result)
    return result
