"""Run one scenario against a running stack: record first, judge after."""

from __future__ import annotations

import random
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass

from hachaos.checks.builds import BuildLedgerResult
from hachaos.checks.data import SetResult, check_set
from hachaos.checks.latency import WindowStats, windows
from hachaos.checks.loss import loss_window
from hachaos.checks.overlap import PrimaryOverlap, primary_overlap
from hachaos.checks.recovery import Recovery, RecoveryStatus, recovery_time
from hachaos.checks.steady import BeforeFault, SteadyState, before_fault
from hachaos.clock import REAL_CLOCK, Clock
from hachaos.errors import HachaosError
from hachaos.events import Attachment, EventBus, Message, Parameter, Progress
from hachaos.faults.base import Fault
from hachaos.faults.registry import FaultContext, build_faults, hold_s
from hachaos.history import History
from hachaos.probes.base import Probe
from hachaos.probes.factory import make_probe
from hachaos.probes.runner import ProbeRunner
from hachaos.running import RunningStack
from hachaos.scenario.phases import PROBE_PROCESS, await_ops, await_recovery, await_steady
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.scenario import ScenarioSpec
from hachaos.spec.workloads import BuildLedgerSpec
from hachaos.topology import resolver_for
from hachaos.topology.base import (
    ClaimChecker,
    ClaimReport,
    Healable,
    HealReport,
    combine_heals,
)
from hachaos.topology.patroni import entry_target
from hachaos.verdict import Verdict, judge
from hachaos.workloads.builds import BuildLedger
from hachaos.workloads.factory import make_store
from hachaos.workloads.http_load import LOAD_PROCESS, HttpLoad
from hachaos.workloads.ledger import LEDGER_PROCESS, Ledger


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


@dataclass(frozen=True)
class _FaultOutcome:
    """What the fault phase leaves for the verdict: the targets (() when the fault was not
    confirmed effective) and how the stack healed afterwards (None: its topology cannot tell)."""

    targets: tuple[str, ...] = ()
    heal: HealReport | None = None


def _fault_phase(run: _Run) -> _FaultOutcome:
    """Inject, observe until recovered (and the hold time passed), revert, await the heal."""
    spec, bus = run.spec, run.bus
    with ExitStack() as active:
        with bus.step("inject", action=spec.fault.action):
            injected = [active.enter_context(f) for f in run.build_faults()]
        effective = all(f.effective for f in injected)
        targets = ", ".join(f.target for f in injected)
        bus.emit(Parameter("fault targets", targets))
        state = "" if effective else " (did NOT take effect)"
        bus.emit(Progress("inject", f"{spec.fault.action} -> {targets}{state}"))
        if effective:
            with bus.step("recover", observe_s=f"{spec.recovery.observe_s:g}"):
                rec = await_recovery(
                    run.history,
                    spec.recovery,
                    run.clock,
                    hold_s(spec.fault),
                    progress=bus.progress("recovering"),
                    budget_s=spec.budget.recovery_time_s,
                )
            bus.emit(Progress("recovering", _recovery_line(rec)))
        with bus.step("revert"):
            active.close()
        bus.emit(Progress("revert", "every fault reverted"))
    heal = _heal(run)
    return _FaultOutcome(tuple(f.target for f in injected) if effective else (), heal)


def _recovery_line(rec: Recovery) -> str:
    if rec.status is RecoveryStatus.RECOVERED and rec.recovery_s is not None:
        return f"recovered after {rec.recovery_s:.2f}s (±{rec.resolution_s:.2f}s)"
    if rec.status is RecoveryStatus.NO_IMPACT:
        return "no client impact"
    return f"not recovered: {rec.status}{f' ({rec.note})' if rec.note else ''}"


def _heal(run: _Run) -> HealReport | None:
    """After revert: wait (bounded by the stack's ready timeout) until the stack has re-formed,
    where its topology can tell (each included stack's too). The report is judged
    (``not-healed``, ``harness-repair``)."""
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


CLAIM_TIMEOUT_S = 10.0


def _check_claims(run: _Run) -> tuple[ClaimReport, ...]:
    """At steady state, before the fault: does the running stack match what its spec claims
    (where its topology can tell)? A claim that does not hold fails the run."""
    checkers = [r for v in run.stack.views() if isinstance(r := resolver_for(v), ClaimChecker)]
    if not checkers:
        return ()
    with run.bus.step("claims", timeout_s=f"{CLAIM_TIMEOUT_S:g}"):
        claims = tuple(c for r in checkers for c in r.check_claims(CLAIM_TIMEOUT_S))
    for claim in claims:
        run.bus.emit(Parameter("claim", claim.summary()))
        if not claim.holds:
            run.bus.emit(Message(f"stack claim mismatch: {claim.summary()}", "error"))
    return claims


def _ledger(run: _Run, prefix: str) -> Ledger | None:
    """The scenario's acknowledged-writes ledger, if it declares a workload."""
    wl = run.spec.workload
    if wl is None or isinstance(wl, BuildLedgerSpec):
        return None  # the build ledger writes nothing: it judges the build probe's enqueues
    store = make_store(wl, run.stack, prefix)
    return Ledger(store, run.history, wl.interval_ms / 1000, run.clock, wl.writers)


def _writing(ledger: Ledger | None) -> AbstractContextManager[object]:
    return ledger.running() if ledger is not None else nullcontext()


def _loading(run: _Run) -> AbstractContextManager[object]:
    """The scenario's HTTP load (a locust child process), for the duration of the run."""
    spec = run.spec.load
    if spec is None:
        return nullcontext()
    if spec.target.node not in run.stack.nodes:
        raise HachaosError(f"load target names unknown node '{spec.target.node}'")
    host, port = run.stack.node(spec.target.node).address().host_port(spec.target.port)
    cafile = None
    if spec.scheme == "https":
        if run.stack.tls is None:
            raise HachaosError(f"https load: stack '{run.stack.spec.name}' declares no 'tls'")
        cafile = str(run.stack.tls.ca_path)
    config = {
        "base_url": f"{spec.scheme}://{host}:{port}",
        "cafile": cafile,
        "users": spec.users,
        "spawn_rate": spec.spawn_rate,
        "wait_s": spec.wait_ms / 1000,
        "timeout_s": spec.timeout_ms / 1000,
        "requests": [r.model_dump() for r in spec.requests],
    }
    return HttpLoad(run.history, config)


def _final_read(run: _Run, ledger: Ledger | None) -> SetResult | None:
    """After healing: read the ledger back once the cluster answers, then check the set."""
    wl = run.spec.workload
    if ledger is None or wl is None:
        return None
    with run.bus.step("final read", timeout_s=f"{wl.final_read_timeout_s:g}"):
        read = ledger.final_read(wl.final_read_timeout_s)
    run.bus.emit(Parameter("ledger keys read", str(len(read.keys)) if read.complete else "n/a"))
    if ledger.read_error is not None:
        run.bus.emit(Message(ledger.read_error, "warning"))
    return check_set(
        run.history, process_prefix=LEDGER_PROCESS, min_acknowledged=wl.min_acknowledged
    )


def _build_ledger(run: _Run) -> BuildLedgerResult | None:
    """After healing: wait until every acknowledged build finished (or the deadline), and
    judge the platform's records against what the probe was told."""
    wl = run.spec.workload
    if not isinstance(wl, BuildLedgerSpec):
        return None
    target = entry_target(run.stack.part(wl.database))
    ledger = BuildLedger(target, f"hachaos:{run.stack.run_id}:build", clock=run.clock)
    with run.bus.step("build ledger", timeout_s=f"{wl.final_read_timeout_s:g}"):
        result = ledger.settle(run.history, wl.final_read_timeout_s)
    if ledger.read_error is not None:
        run.bus.emit(Message(ledger.read_error, "warning"))
    summary = (
        f"{result.acknowledged} acknowledged, {len(result.lost)} lost, {len(result.stuck)} "
        f"stuck, {len(result.duplicated)} duplicated, {len(result.unacknowledged_ran)} ran "
        "unacknowledged"
    )
    run.bus.emit(Parameter("build ledger", summary if result.complete else result.reason))
    run.bus.emit(Progress("build ledger", summary if result.complete else result.reason))
    return result


@dataclass(frozen=True)
class _Measured:
    """Every checker's result, computed once from the final history."""

    recovery: Recovery | None  # None when there was no steady state to recover to
    latency: WindowStats | None
    overlap: PrimaryOverlap
    history: History
    before: BeforeFault | None = None  # errors between the first ok probe op and the inject
    load: WindowStats | None = None  # the HTTP load's requests, per window


def _measure(spec: ScenarioSpec, history: History, steady: SteadyState) -> _Measured:
    overlap = primary_overlap(history)
    if not steady.ok:
        return _Measured(None, None, overlap, history)
    sustain = spec.recovery.sustain_ops
    return _Measured(
        recovery_time(history, process=PROBE_PROCESS, sustain_ops=sustain),
        windows(history, process=PROBE_PROCESS),
        overlap,
        history,
        before_fault(history, process=PROBE_PROCESS),
        windows(history, process=LOAD_PROCESS) if spec.load is not None else None,
    )


def _report_overlap(bus: EventBus, ov: PrimaryOverlap) -> None:
    """Two primaries acknowledging writes at once, as probe and ledger saw it."""
    if not ov.nodes:
        return
    text = "none" if ov.ok else f"{ov.total_s:.3f}s over {len(ov.overlaps)} window(s)"
    bus.emit(Parameter("primary overlap", f"{text} (acknowledging: {', '.join(ov.nodes)})"))
    if not ov.ok:
        bus.emit(Message(f"split brain: two primaries acknowledged writes for {text}", "warning"))


def _judge(
    spec: ScenarioSpec,
    measured: _Measured,
    steady: SteadyState,
    fault: _FaultOutcome,
    *,
    data: SetResult | None = None,
    claims: tuple[ClaimReport, ...] = (),
    builds: BuildLedgerResult | None = None,
) -> Verdict:
    return judge(
        spec.budget,
        steady=steady,
        recovery=measured.recovery,
        latency=measured.latency,
        data=data,
        fault_effective=bool(fault.targets) or not steady.ok,
        overlap=measured.overlap if steady.ok else None,
        loss=loss_window(measured.history, data.lost) if data is not None else None,
        before=measured.before,
        heal=fault.heal,
        claims=claims,
        builds=builds,
        load=measured.load,
    )


def _report(bus: EventBus, result: ScenarioResult) -> None:
    body = result.history.to_jsonl().encode()
    bus.emit(Attachment("history", body, "application/x-ndjson", "jsonl"))
    bus.emit(Parameter("seed", str(result.seed)))
    bus.emit(Parameter("probe interval", f"{result.probe_interval_s * 1000:g} ms"))
    for m in result.verdict.measurements:
        bus.emit(Parameter(m.name, m.render()))


@dataclass
class PreparedRun:
    """A scenario whose clients are set up against a running stack, ready to run once.

    Preparing is the part that can fail for infrastructure reasons (a client that cannot
    connect or declare what it needs); the plugin does it in pytest's setup phase so such a
    failure is a test error, never a verdict.
    """

    run: _Run
    probe: Probe
    ledger: Ledger | None
    seed: int
    _started: bool = False

    def run_once(self) -> ScenarioResult:
        """Steady state, inject, observe recovery, revert, judge; every fault always reverted."""
        if self._started:
            raise HachaosError("a prepared scenario runs once; prepare it again")
        self._started = True
        return _run_prepared(self)

    def close(self) -> None:
        """Release the clients of a run that never started (a started run releases its own)."""
        if not self._started:
            self._started = True
            self.probe.close()
            if self.ledger is not None:
                self.ledger.close()


def prepare_scenario(
    spec: ScenarioSpec,
    stack: RunningStack,
    bus: EventBus,
    *,
    seed: int | None = None,
    clock: Clock = REAL_CLOCK,
) -> PreparedRun:
    """Set up the scenario's probe and workload clients against `stack`."""
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    run = _Run(spec, stack, History(), random.Random(seed), bus, clock)
    prefix = f"hachaos:{stack.run_id}"
    with bus.step("clients", probe=spec.probe.type):
        probe = make_probe(spec.probe, stack, prefix=prefix)
        try:
            ledger = _ledger(run, prefix)
            if ledger is not None:
                # set up before the probe's first attempt: a RabbitMQ purge racing another
                # client's first declare of the quorum queue finds no Raft member running
                # yet, and RabbitMQ 3.10 crashes the channel: (541) INTERNAL_ERROR
                ledger.prepare()
        except BaseException:
            probe.close()
            raise
    return PreparedRun(run, probe, ledger, seed)


def run_scenario(
    spec: ScenarioSpec,
    stack: RunningStack,
    bus: EventBus,
    *,
    seed: int | None = None,
    clock: Clock = REAL_CLOCK,
) -> ScenarioResult:
    """Prepare the clients and run the scenario once (see PreparedRun.run_once)."""
    return prepare_scenario(spec, stack, bus, seed=seed, clock=clock).run_once()


def _run_prepared(prepared: PreparedRun) -> ScenarioResult:
    run, ledger = prepared.run, prepared.ledger
    spec, stack, bus, clock = run.spec, run.stack, run.bus, run.clock
    interval_s = spec.probe.interval_ms / 1000
    fault = _FaultOutcome()
    claims: tuple[ClaimReport, ...] = ()
    probing = ProbeRunner(prepared.probe, run.history, interval_s, clock)
    with probing, _writing(ledger), _loading(run):
        with bus.step("steady state", samples=str(spec.steady_state.samples)):
            steady = await_steady(
                run.history, spec.steady_state, clock, bus.progress("steady state")
            )
        if steady.ok:
            claims = _check_claims(run)
            fault = _fault_phase(run)
            await_ops(run.history, spec.recovery.sustain_ops, clock, spec.recovery.observe_s)
    data = _final_read(run, ledger) if steady.ok else None
    builds = _build_ledger(run) if steady.ok else None
    measured = _measure(spec, run.history, steady)
    _report_overlap(bus, measured.overlap)
    with bus.step("verdict"):
        verdict = _judge(spec, measured, steady, fault, data=data, claims=claims, builds=builds)
    bus.emit(Progress("verdict", f"{verdict.outcome.upper()} [{verdict.reason}] {verdict.detail}"))
    result = ScenarioResult(
        spec.name,
        stack.spec.name,
        stack.run_id,
        prepared.seed,
        fault.targets,
        interval_s,
        steady,
        measured.recovery,
        verdict,
        run.history,
        heal=fault.heal,
        claims=claims,
    )
    _report(bus, result)
    return result
