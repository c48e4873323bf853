"""The Docker backend against a real engine: labels, ports, node handle, roles, teardown."""

from __future__ import annotations

import pytest
import redis

from hachaos.backends.docker import labels
from hachaos.backends.docker.backend import DockerBackend
from hachaos.clock import wait_until
from hachaos.node import Killable, Pausable, Stoppable
from hachaos.running import RunningStack
from hachaos.spec.models import Role
from hachaos.topology import resolver_for

pytestmark = pytest.mark.integration


def test_everything_is_labelled_and_reached_as_its_label_says(
    docker_backend: DockerBackend, redis_stack: RunningStack
) -> None:
    """Direct reach: nothing published, the runner dials the node's IP; published reach (see
    test_conformance_live): every declared port on loopback only."""
    api = docker_backend.api
    found = api.containers(filters=labels.run_filter(redis_stack.run_id))
    assert sorted(c["Labels"][labels.NODE] for c in found) == sorted(redis_stack.nodes)
    for c in found:
        node = redis_stack.node(c["Labels"][labels.NODE])
        assert c["Labels"][labels.STACK] == "redis-sentinel"
        assert c["Labels"][labels.ROLE] == redis_stack.spec.nodes[node.name].role
        bound = {p["IP"] for p in c["Ports"] if "IP" in p}
        address = node.address()
        if c["Labels"][labels.REACH] == "direct":
            assert bound == set()
            assert {h for h, _ in address.published.values()} == {address.ip}
        else:
            assert bound == {"127.0.0.1"}
        assert set(address.published) == {int(p) for p in c["Labels"][labels.PORTS].split(",")}
    [net] = api.networks(filters=labels.run_filter(redis_stack.run_id))
    assert net["Labels"][labels.RUN] == redis_stack.run_id


def test_master_is_resolved_from_the_sentinels(redis_stack: RunningStack) -> None:
    resolver = resolver_for(redis_stack)
    [master] = resolver.holders(Role.MASTER)
    host, port = master.address().host_port(6379)
    info = redis.Redis(host=host, port=port).info("replication")
    assert info["role"] == "master"
    assert {n.name for n in resolver.holders(Role.REPLICA)} == {"redis-1", "redis-2", "redis-3"} - {
        master.name
    }


def test_node_handle_pause_resume_exec_logs(redis_stack: RunningStack) -> None:
    node = redis_stack.node("redis-3")
    assert isinstance(node, Pausable)
    assert isinstance(node, Killable)
    assert isinstance(node, Stoppable)
    assert node.exec(["redis-cli", "ping"]).output.strip() == "PONG"
    assert "Ready to accept connections" in node.logs(tail=200)
    node.pause()
    try:
        assert node.is_paused()
    finally:
        node.resume()
    assert not node.is_paused()


def test_kill_and_start_changes_nothing_but_ports(redis_stack: RunningStack) -> None:
    node = redis_stack.node("sentinel-3")
    node.kill()  # type: ignore[attr-defined]
    assert not node.is_running()
    node.start()  # type: ignore[attr-defined]
    host, port = node.address().host_port(26379)
    pong = wait_until(
        lambda: redis.Redis(host=host, port=port, socket_timeout=0.5).ping(),
        bool,
        what="sentinel-3 back",
        timeout_s=10,
    )
    assert pong


def test_down_removes_everything_of_the_run(docker_backend: DockerBackend) -> None:
    from tests_support import tiny_stack

    run_id = labels.new_run_id()
    docker_backend.up(tiny_stack(), run_id)
    report = docker_backend.down(run_id)
    assert (report.containers, report.networks) == (2, 1)
    flt = labels.run_filter(run_id)
    assert docker_backend.api.containers(all=True, filters=flt) == []
    assert docker_backend.api.networks(filters=flt) == []
