"""Links through the embedded proxy: started and populated by the backend, faulted by LinkFault."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator

import pytest
import redis
from tests_support import booted

from hachaos.backends.docker.backend import DockerBackend
from hachaos.clock import REAL_CLOCK
from hachaos.faults.base import Fault
from hachaos.faults.registry import FaultContext, build_faults
from hachaos.history import History
from hachaos.running import RunningStack
from hachaos.spec.faults import LinkFaultSpec
from hachaos.spec.models import StackSpec
from hachaos.topology import resolver_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def linked(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    spec = StackSpec.model_validate(
        {
            "name": "linked",
            "image": "hachaos/redis:latest",
            "links": {"cache": {"upstream": "db:6379", "listen": 16379}},
            "nodes": {
                "db": {
                    "role": "primary",
                    "command": ["redis-server", "--protected-mode", "no"],
                    "ready": [{"exec": ["redis-cli", "ping"], "expect": "PONG"}],
                },
                # an in-stack client that only knows the link's name
                "app": {
                    "role": "app",
                    "command": ["sleep", "infinity"],
                    "depends_on": ["db"],
                    "ready": [
                        {
                            "exec": ["redis-cli", "-h", "cache", "-p", "16379", "ping"],
                            "expect": "PONG",
                        }
                    ],
                },
            },
        }
    )
    with booted(docker_backend, spec) as stack:
        yield stack


def client(stack: RunningStack) -> redis.Redis:
    host, port = stack.link_address("cache")
    return redis.Redis(host=host, port=port, socket_timeout=2, socket_connect_timeout=2)


def fault(stack: RunningStack, **spec: object) -> list[Fault]:
    ctx = FaultContext(stack, resolver_for(stack), History(), random.Random(1), REAL_CLOCK)
    return build_faults(
        LinkFaultSpec.model_validate({"action": "link", "link": "cache", **spec}), ctx
    )


def test_runner_and_app_reach_the_service_through_the_link(linked: RunningStack) -> None:
    assert client(linked).ping()
    res = linked.node("app").exec(["redis-cli", "-h", "cache", "-p", "16379", "set", "k", "v"])
    assert res.output.strip() == "OK"
    assert client(linked).get("k") == b"v"


def test_latency_toxic_slows_round_trips_and_is_removed(linked: RunningStack) -> None:
    [f] = fault(linked, toxic={"type": "latency", "attributes": {"latency": 300}})
    c = client(linked)
    with f:
        assert f.effective
        t0 = time.monotonic()
        c.ping()
        assert time.monotonic() - t0 >= 0.3
    t0 = time.monotonic()
    c.ping()
    assert time.monotonic() - t0 < 0.3


def test_link_down_refuses_then_heals(linked: RunningStack) -> None:
    [f] = fault(linked, down=True)
    with f:
        assert f.effective
        with pytest.raises(redis.ConnectionError):
            client(linked).ping()
    assert client(linked).ping()
