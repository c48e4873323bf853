import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from netfakes import free_port, raw_server, silent

from hachaos.clients.amqp import AmqpPublisher, Endpoint, PublishResult
from hachaos.history import Outcome
from hachaos.probes.amqp import AmqpPublishProbe
from hachaos.spec.loader import load_scenario

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts TCP connections and never answers (a frozen broker behind a published port)."""
    with raw_server(silent) as port:
        yield port


def test_refused_connection_is_fail() -> None:
    port = free_port()
    pub = AmqpPublisher(lambda: [Endpoint("rabbit-1", "127.0.0.1", port)], "q", 0.5)
    r = pub.publish("k:1")
    assert r.outcome is Outcome.FAIL
    assert r.error == "NoNodeAccepts"
    assert r.node is None
    pub.close()


def test_no_endpoint_is_fail() -> None:
    r = AmqpPublisher(lambda: [], "q", 0.5).publish("k:1")
    assert (r.outcome, r.error) == (Outcome.FAIL, "NoNodeAccepts")


def test_silent_broker_is_fail_within_the_timeout(silent_server: int) -> None:
    eps = [Endpoint("rabbit-1", "127.0.0.1", silent_server)]
    pub = AmqpPublisher(lambda: eps, "q", 0.3)
    t0 = time.monotonic()
    r = pub.publish("k:1")
    took = time.monotonic() - t0
    assert r.outcome is Outcome.FAIL  # never got as far as sending: certainly not enqueued
    assert took < 1.0


def test_all_nodes_bounded_by_one_timeout(silent_server: int) -> None:
    eps = [Endpoint(f"rabbit-{i}", "127.0.0.1", silent_server) for i in (1, 2, 3)]
    pub = AmqpPublisher(lambda: eps, "q", 0.3)
    t0 = time.monotonic()
    assert pub.publish("k:1").outcome is Outcome.FAIL
    assert time.monotonic() - t0 < 1.0


class FakePublisher:
    def __init__(self, result: PublishResult) -> None:
        self.result = result
        self.ids: list[str] = []
        self.closed = False

    def publish(self, message_id: str) -> PublishResult:
        self.ids.append(message_id)
        return self.result

    def close(self) -> None:
        self.closed = True


@pytest.mark.parametrize(
    "result",
    [
        PublishResult(Outcome.OK, node="rabbit-1"),
        PublishResult(Outcome.UNKNOWN, "DeadlineHit", "rabbit-2"),
        PublishResult(Outcome.FAIL, "NackError", "rabbit-2"),
    ],
)
def test_probe_carries_outcome_and_unique_key(result: PublishResult) -> None:
    fake = FakePublisher(result)
    probe = AmqpPublishProbe(fake, "hachaos:hc-1", process="ledger")  # type: ignore[arg-type]
    a = probe.attempt(7)
    assert (a.outcome, a.error, a.key) == (result.outcome, result.error, "hachaos:hc-1:7")
    assert fake.ids == ["hachaos:hc-1:7"]
    assert (probe.process, probe.kind) == ("ledger", "write")
    probe.close()
    assert fake.closed


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios" / "rabbitmq").glob("*.yaml")))
def test_rabbitmq_scenarios_load(path: Path) -> None:
    loaded = load_scenario(path)
    assert loaded.stack.name == "rabbitmq-cluster"
    assert loaded.spec.probe.type == "amqp-publish"
    assert loaded.spec.workload is not None and loaded.spec.workload.type == "rabbitmq-ledger"
