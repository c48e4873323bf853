"""How the runner reaches Docker nodes: the asked mode, the automatic choice, the ports each
mode publishes and where the runner then dials, and the conformance check on bindings."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from hachaos.backends.docker import labels
from hachaos.backends.docker.provision import create_node
from hachaos.backends.docker.reach import ENV, Reach, choose, runner_ports, wanted
from hachaos.conformance.outcome import Status
from hachaos.conformance.runtime import published
from hachaos.conformance.target import Target
from hachaos.errors import HachaosError
from hachaos.node import RuntimeFacts
from hachaos.spec.models import StackSpec

NOT_HERE = "192.0.2.1"  # TEST-NET-1: never an address of this machine


class NetworkApi:
    """Answers `inspect_network` with one IPAM gateway (or none)."""

    def __init__(self, gateway: str | None) -> None:
        self.gateway = gateway
        self.asked = 0

    def inspect_network(self, _name: str) -> dict[str, Any]:
        self.asked += 1
        config = [{"Subnet": "172.30.0.0/16", "Gateway": self.gateway}] if self.gateway else []
        return {"IPAM": {"Config": config}}


def test_the_asked_reach_comes_from_the_environment() -> None:
    assert wanted({}) is Reach.AUTO
    assert wanted({ENV: " Direct "}) is Reach.DIRECT
    assert wanted({ENV: "published"}) is Reach.PUBLISHED
    with pytest.raises(HachaosError) as err:
        wanted({ENV: "tunnel"})
    assert str(err.value) == f"{ENV}='tunnel' is not one of: auto, direct, published"


@pytest.mark.parametrize(
    ("gateway", "expected"),
    [("127.0.0.1", Reach.DIRECT), (NOT_HERE, Reach.PUBLISHED), (None, Reach.PUBLISHED)],
)
def test_auto_reaches_directly_only_when_the_gateway_is_a_local_address(
    gateway: str | None, expected: Reach
) -> None:
    assert choose(cast(Any, NetworkApi(gateway)), "net", Reach.AUTO) is expected


def test_an_asked_reach_is_kept_without_asking_the_engine() -> None:
    api = NetworkApi(NOT_HERE)
    assert choose(cast(Any, api), "net", Reach.DIRECT) is Reach.DIRECT
    assert choose(cast(Any, api), "net", Reach.PUBLISHED) is Reach.PUBLISHED
    assert api.asked == 0


def inspected(reach: str | None, bound: dict[str, Any]) -> dict[str, Any]:
    node_labels = {labels.PORTS: "5432,8008"} | ({labels.REACH: reach} if reach else {})
    return {"Config": {"Labels": node_labels}, "NetworkSettings": {"Ports": bound}}


BOUND = {
    "5432/tcp": [{"HostIp": "127.0.0.1", "HostPort": "32770"}],
    "8008/tcp": None,  # declared, not published
}


def test_direct_reach_dials_the_declared_ports_at_the_node_address() -> None:
    assert runner_ports(inspected("direct", {}), "172.30.0.5") == {
        5432: ("172.30.0.5", 5432),
        8008: ("172.30.0.5", 8008),
    }
    assert runner_ports(inspected("direct", {}), None) == {}  # stopped or detached


@pytest.mark.parametrize("reach", ["published", None])  # None: a run made before the label
def test_published_reach_dials_the_host_bindings(reach: str | None) -> None:
    assert runner_ports(inspected(reach, BOUND), "172.30.0.5") == {5432: ("127.0.0.1", 32770)}


class CreatingApi:
    """Records what `create_node` asks the engine for."""

    def __init__(self) -> None:
        self.bindings: dict[int, tuple[str, ...]] = {}
        self.labels: dict[str, str] = {}

    def create_host_config(self, port_bindings: dict[int, tuple[str, ...]], **_: Any) -> object:
        self.bindings = port_bindings
        return object()

    def create_networking_config(self, config: object) -> object:
        return config

    def create_endpoint_config(self, **_: Any) -> object:
        return object()

    def create_container(self, _image: str, **kwargs: Any) -> dict[str, str]:
        self.labels = kwargs["labels"]
        return {"Id": "c1"}


def lb_stack() -> StackSpec:
    return StackSpec.model_validate(
        {
            "name": "s",
            "image": "hachaos/haproxy:latest",
            "nodes": {"lb": {"role": "lb", "ports": [{"container": 80, "host": 8080}, 7000]}},
        }
    )


@pytest.mark.parametrize(
    ("reach", "bound"),
    [
        (Reach.DIRECT, {80: ("127.0.0.1", 8080)}),
        (Reach.PUBLISHED, {80: ("127.0.0.1", 8080), 7000: ("127.0.0.1",)}),
    ],
)
def test_direct_reach_publishes_only_pinned_ports(
    reach: Reach, bound: dict[int, tuple[str, ...]]
) -> None:
    api = CreatingApi()
    create_node(cast(Any, api), lb_stack(), "hc-1", "hc-1-net", "lb", reach=reach)
    assert api.bindings == bound
    assert api.labels[labels.REACH] == reach.value and api.labels[labels.PORTS] == "80,7000"


class FactsNode:
    """A node whose backend describes its runtime."""

    name, role = "lb", "lb"

    def __init__(self, facts: RuntimeFacts) -> None:
        self.facts = facts

    def container_runtime(self) -> RuntimeFacts:
        return self.facts


def target_with(facts: RuntimeFacts) -> Target:
    nodes = {"lb": FactsNode(facts)}
    return cast(Target, SimpleNamespace(stack=SimpleNamespace(nodes=nodes), memo=lambda _k, f: f()))


def test_the_bindings_check_skips_a_directly_reached_node_and_fails_a_published_one() -> None:
    pinned = {80: ("127.0.0.1", 8080)}
    how = f"boot the run with {ENV}=published"
    skipped = published(
        "lb", (80, 7000), target_with(RuntimeFacts("docker", "20.10", "o", pinned, how))
    )
    assert skipped.status is Status.SKIP and how in skipped.observed
    missing = published("lb", (80, 7000), target_with(RuntimeFacts("docker", "20.10", "o", pinned)))
    assert missing.status is Status.FAIL and "does not publish 7000" in missing.observed
    done = published("lb", (80,), target_with(RuntimeFacts("docker", "20.10", "o", pinned, how)))
    assert done.status is Status.PASS
