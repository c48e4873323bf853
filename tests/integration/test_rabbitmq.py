"""The RabbitMQ cluster against real containers: boot, resolver, probe outcomes, drain ledger,
and the stop-node and partition scenarios end to end.

One stack per module; tests that move the quorum-queue leader run last.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import repo_stack

from hachaos.backends.docker.backend import DockerBackend
from hachaos.checks.data import check_set
from hachaos.clients.amqp import AmqpPublisher, Endpoint
from hachaos.clock import wait_until
from hachaos.events import EventBus, Parameter
from hachaos.history import History, Outcome
from hachaos.running import RunningStack
from hachaos.scenario.result import ScenarioResult
from hachaos.scenario.runner import run_scenario
from hachaos.spec.loader import load_scenario
from hachaos.spec.models import Role
from hachaos.topology import resolver_for
from hachaos.topology.rabbitmq import RabbitMQResolver, amqp_endpoints
from hachaos.topology.rabbitmq_heal import ClusterHealth, RabbitMQHealer
from hachaos.verdict import VerdictOutcome
from hachaos.workloads.ledger import LEDGER_PROCESS, Ledger
from hachaos.workloads.rabbitmq import RabbitMQLedgerStore

REPO = Path(__file__).resolve().parents[2]
NODES = ["rabbit-1", "rabbit-2", "rabbit-3"]
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def rabbit_stack(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    """rabbitmq-cluster, booted once for this module."""
    with repo_stack(docker_backend, "rabbitmq-cluster") as stack:
        yield stack


def publisher(stack: RunningStack, timeout_s: float = 1.0) -> AmqpPublisher:
    return AmqpPublisher(amqp_endpoints(stack), "hachaos", timeout_s)


def test_cluster_formed_with_lowered_ticktime(rabbit_stack: RunningStack) -> None:
    pub = publisher(rabbit_stack)
    try:
        assert pub.publish("it:declare").outcome is Outcome.OK  # declares the quorum queue
    finally:
        pub.close()
    for node in rabbit_stack.declared(Role.RABBIT):
        res = node.exec(["rabbitmqctl", "-q", "eval", "net_kernel:get_net_ticktime()."])
        assert res.output.strip() == "5", (node.name, res.output)
    health = RabbitMQHealer(rabbit_stack, "hachaos").observe()
    assert health.whole, health.describe()


def test_resolver_names_the_quorum_leader(rabbit_stack: RunningStack) -> None:
    resolver = resolver_for(rabbit_stack)
    assert isinstance(resolver, RabbitMQResolver)
    (leader,) = resolver.holders(Role.PRIMARY)
    replicas = resolver.holders(Role.REPLICA)
    assert sorted(n.name for n in [leader, *replicas]) == NODES
    assert sorted(n.name for n in resolver.holders(Role.RABBIT)) == NODES
    assert set(resolver.queue().members) == set(NODES)  # replicated on all three


def test_probe_outcomes_refused_is_fail_unconfirmed_is_unknown(rabbit_stack: RunningStack) -> None:
    rabbit_1 = rabbit_stack.node("rabbit-1")
    host, port = rabbit_1.address().host_port(5672)
    closed = AmqpPublisher(lambda: [Endpoint("rabbit-1", host, 1)], "hachaos", 0.5)
    assert closed.publish("it:refused").outcome is Outcome.FAIL
    # no quorum behind rabbit-1 for a moment (well under net_ticktime): the confirm never comes
    pub = AmqpPublisher(lambda: [Endpoint("rabbit-1", host, port)], "hachaos", 0.5)
    try:
        assert pub.publish("it:warm").outcome is Outcome.OK
        others = [rabbit_stack.node(n) for n in ("rabbit-2", "rabbit-3")]
        for n in others:
            n.pause()  # type: ignore[attr-defined]
        try:
            result = pub.publish("it:unconfirmed")
        finally:
            for n in others:
                n.resume()  # type: ignore[attr-defined]
        assert (result.outcome, result.error) == (Outcome.UNKNOWN, "DeadlineHit")
    finally:
        pub.close()


def test_drain_finds_a_synthetic_lost_message(rabbit_stack: RunningStack) -> None:
    history = History()
    prefix = f"it:{rabbit_stack.run_id}:ledger"
    store = RabbitMQLedgerStore(amqp_endpoints(rabbit_stack), "hachaos", prefix, 1.0)
    ledger = Ledger(store, history, interval_s=0.01)
    with ledger.running():
        wait_until(lambda: len(history.ops), lambda n: n >= 30, what="30 publishes", timeout_s=20)
    stolen = publisher(rabbit_stack)
    try:
        _, channel = stolen.channel()
        method, props, _ = channel.basic_get("hachaos", auto_ack=True)
        assert method is not None
        assert props is not None
    finally:
        stolen.close()
    read = ledger.final_read(timeout_s=20)
    assert read.complete
    result = check_set(history, process_prefix=LEDGER_PROCESS)
    assert result.lost == (props.message_id,), result.reason
    assert result.acknowledged == len(read.keys) + 1


def run(stack: RunningStack, scenario: str) -> tuple[ScenarioResult, dict[str, str]]:
    loaded = load_scenario(REPO / "scenarios" / "rabbitmq" / scenario)
    params: dict[str, str] = {}
    bus = EventBus()
    bus.subscribe(lambda e: params.update({e.name: e.value}) if isinstance(e, Parameter) else None)
    return run_scenario(loaded.spec, stack, bus), params


def test_stop_node_scenario(rabbit_stack: RunningStack) -> None:
    result, params = run(rabbit_stack, "stop-node.yaml")
    assert result.verdict.outcome in (VerdictOutcome.PASS, VerdictOutcome.FAIL), result.line()
    assert result.recovery is not None and result.recovery.recovery_s is not None
    names = {m.name for m in result.verdict.measurements}
    assert {"recovery_time_s", "lost_writes", "acknowledged"} <= names
    assert result.history.final_reads[-1].complete
    assert params["heal"].startswith("healed"), params["heal"]  # the stopped node rejoined


def test_partition_leader_minority_pauses_and_cluster_reforms(
    rabbit_stack: RunningStack,
) -> None:
    healer = RabbitMQHealer(rabbit_stack, "hachaos")
    seen: list[ClusterHealth] = []
    done = threading.Event()

    def watch() -> None:  # the cluster's own view while the scenario runs
        while not done.wait(1.0):
            seen.append(healer.observe())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        result, params = run(rabbit_stack, "partition-leader.yaml")
    finally:
        done.set()
        watcher.join()
    assert result.targets, result.line()
    (isolated,) = result.targets
    majority = tuple(n for n in NODES if n != isolated)
    paused = [
        h
        for h in seen
        if any(v.node == isolated and v.reachable and not v.running for v in h.views)
        and all(v.sees == majority for v in h.views if v.node != isolated)
    ]
    assert paused, [h.describe() for h in seen]  # minority paused, majority sees two
    assert result.verdict.outcome in (VerdictOutcome.PASS, VerdictOutcome.FAIL), result.line()
    assert params["heal"].startswith("healed"), params["heal"]
