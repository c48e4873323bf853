"""Run one scenario against a running stack: record first, judge after."""

from __future__ import annotations

import random
from contextlib import AbstractContextManager, ExitStack, nullcontext
from dataclasses import dataclass, field

from hachaos.checks.builds import BuildLedgerResult
from hachaos.checks.data import SetResult, check_set
from hachaos.clock import REAL_CLOCK, Clock
from hachaos.errors import HachaosError
from hachaos.events import Attachment, EventBus, Message, Parameter, Progress
from hachaos.history import History
from hachaos.probes.base import Probe, renamed
from hachaos.probes.factory import make_probe
from hachaos.probes.runner import ProbeRunner
from hachaos.running import RunningStack
from hachaos.scenario.context import RunContext
from hachaos.scenario.fault_phase import FaultOutcome, fault_phase, steps_phase
from hachaos.scenario.measure import judge_run, measure, report_measured
from hachaos.scenario.phases import await_ops, await_steady, probe_process
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.scenario import ScenarioSpec
from hachaos.spec.workloads import BuildLedgerSpec
from hachaos.tls.client import run_server_name
from hachaos.topology import resolver_for
from hachaos.topology.base import ClaimChecker, ClaimReport
from hachaos.topology.patroni import entry_target
from hachaos.workloads.builds import BuildLedger
from hachaos.workloads.factory import make_store
from hachaos.workloads.http_load import HttpLoad
from hachaos.workloads.ledger import LEDGER_PROCESS, Ledger

CLAIM_TIMEOUT_S = 10.0


def _check_claims(run: RunContext) -> tuple[ClaimReport, ...]:
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


def _ledger(run: RunContext, prefix: str) -> Ledger | None:
    """The scenario's acknowledged-writes ledger, if it declares a workload."""
    wl = run.spec.workload
    if wl is None or isinstance(wl, BuildLedgerSpec):
        return None  # the build ledger writes nothing: it judges the build probe's enqueues
    store = make_store(wl, run.stack, prefix)
    return Ledger(store, run.history, wl.interval_ms / 1000, run.clock, wl.writers)


def _writing(ledger: Ledger | None) -> AbstractContextManager[object]:
    return ledger.running() if ledger is not None else nullcontext()


def _loading(run: RunContext) -> AbstractContextManager[object]:
    """The scenario's HTTP load (a locust child process), for the duration of the run."""
    spec = run.spec.load
    if spec is None:
        return nullcontext()
    if spec.target.node not in run.stack.nodes:
        raise HachaosError(f"load target names unknown node '{spec.target.node}'")
    host, port = run.stack.node(spec.target.node).address().host_port(spec.target.port)
    cafile = server_name = None
    if spec.scheme == "https":
        if run.stack.tls is None:
            raise HachaosError(f"https load: stack '{run.stack.spec.name}' declares no 'tls'")
        cafile = str(run.stack.tls.ca_path)
        server_name = run_server_name(run.stack, spec.target.node)
    config = {
        "base_url": f"{spec.scheme}://{host}:{port}",
        "cafile": cafile,
        "server_name": server_name,
        "users": spec.users,
        "spawn_rate": spec.spawn_rate,
        "wait_s": spec.wait_ms / 1000,
        "timeout_s": spec.timeout_ms / 1000,
        "requests": [r.model_dump() for r in spec.requests],
    }
    return HttpLoad(run.history, config)


def _build_ledger(run: RunContext) -> BuildLedgerResult | None:
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


def _final_read(run: RunContext, ledger: Ledger | None) -> SetResult | None:
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

    run: RunContext
    probe: Probe
    ledger: Ledger | None
    seed: int
    extra: dict[str, Probe] = field(default_factory=dict)  # the named probes beside `main`
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
            for probe in (self.probe, *self.extra.values()):
                probe.close()
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
    run = RunContext(spec, stack, History(), random.Random(seed), bus, clock)
    prefix = f"hachaos:{stack.run_id}"
    with bus.step("clients", probe=spec.probe.type):
        probe = make_probe(spec.probe, stack, prefix=prefix)
        extra: dict[str, Probe] = {}
        try:
            for name, extra_spec in spec.probes.items():
                made = make_probe(extra_spec, stack, prefix=f"{prefix}:{name}")
                extra[name] = renamed(made, probe_process(name))
            ledger = _ledger(run, prefix)
            if ledger is not None:
                # set up before the probe's first attempt: a RabbitMQ purge racing another
                # client's first declare of the quorum queue finds no Raft member running
                # yet, and RabbitMQ 3.10 crashes the channel: (541) INTERNAL_ERROR
                ledger.prepare()
        except BaseException:
            for made in (probe, *extra.values()):
                made.close()
            raise
    return PreparedRun(run, probe, ledger, seed, extra)


def _probing(prepared: PreparedRun) -> ExitStack:
    """Every probe running on its own schedule: `main`, then the named ones."""
    run = prepared.run
    scheduled = [(prepared.probe, run.spec.probe)]
    scheduled += [(probe, run.spec.probes[name]) for name, probe in prepared.extra.items()]
    runners = ExitStack()
    try:
        for probe, spec in scheduled:
            interval_s = spec.interval_ms / 1000
            runners.enter_context(ProbeRunner(probe, run.history, interval_s, run.clock))
    except BaseException:
        runners.close()
        raise
    return runners


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
    fault = FaultOutcome()
    claims: tuple[ClaimReport, ...] = ()
    with _probing(prepared), _writing(ledger), _loading(run):
        with bus.step("steady state", samples=str(spec.steady_state.samples)):
            steady = await_steady(
                run.history, spec.steady_state, clock, bus.progress("steady state")
            )
        if steady.ok:
            claims = _check_claims(run)
            fault = steps_phase(run) if spec.fault is None else fault_phase(run, spec.fault)
            await_ops(run.history, spec.recovery.sustain_ops, clock, spec.recovery.observe_s)
    data = _final_read(run, ledger) if steady.ok else None
    builds = _build_ledger(run) if steady.ok else None
    multi_writer = getattr(stack.spec.topology, "multi_writer", False) is True
    measured = measure(spec, run.history, steady, multi_writer=multi_writer)
    report_measured(bus, measured)
    with bus.step("verdict"):
        verdict = judge_run(spec, measured, steady, fault, data=data, claims=claims, builds=builds)
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
