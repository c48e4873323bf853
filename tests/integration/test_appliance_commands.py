"""The appliance's operator commands on a booted active-passive stack: status, maintenance
(writes refused with the clear status, reads served), promote refused while the primary
answers, forced promotion, and the old primary fencing itself."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from tests_support import repo_stack

from hachaos.backends.docker.backend import DockerBackend
from hachaos.clock import wait_until
from hachaos.node import ExecResult
from hachaos.running import RunningStack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pair(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    """The active-passive stack, booted once for this module (tests run in file order)."""
    with repo_stack(docker_backend, "active-passive") as stack:
        yield stack


def appliance(stack: RunningStack, node: str, *args: str) -> ExecResult:
    """`appliance ARGS` on `node`."""
    return stack.node(node).exec(["appliance", *args], timeout_s=60)


LB, AP1, AP2 = ("lb", 80), ("ap-1", 8080), ("ap-2", 8080)


def http(
    stack: RunningStack,
    where: tuple[str, int],
    method: str,
    path: str,
    body: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any], str]:
    """(status, JSON body, X-Hachaos-Node) of one request to a node's published port."""
    host, hport = stack.node(where[0]).address().host_port(where[1])
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://{host}:{hport}{path}", data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.loads(resp.read()), resp.headers["X-Hachaos-Node"]
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), exc.headers["X-Hachaos-Node"]


def test_status_names_roles_and_replication(pair: RunningStack) -> None:
    primary, replica = appliance(pair, "ap-1", "status"), appliance(pair, "ap-2", "status")
    assert primary.ok and replica.ok
    assert "role: primary\nmode: active" in primary.output
    assert "role: replica\nmode: replication" in replica.output
    for res in (primary, replica):
        assert "replication: OK" in res.output
        assert "thresholds: CRITICAL when not streaming, lag_bytes > 65536" in res.output
    doc = json.loads(appliance(pair, "ap-1", "status", "--json").output)
    assert doc["datastores"][0]["name"] == "postgres"
    assert doc["epoch"] == 1


def test_replica_answers_in_replication_mode(pair: RunningStack) -> None:
    status, body, node = http(pair, AP2, "POST", "/items", {"key": "r", "value": "v"})
    assert (status, body["error"], node) == (503, "server in replication mode", "ap-2")


def test_maintenance_refuses_writes_and_serves_reads(pair: RunningStack) -> None:
    assert http(pair, LB, "POST", "/items", {"key": "before", "value": "v"})[0] == 201
    on = appliance(pair, "ap-1", "maintenance", "on")
    assert on.ok and "maintenance mode on: writes refused" in on.output
    status, body, node = http(pair, LB, "POST", "/items", {"key": "during", "value": "v"})
    assert (status, body, node) == (
        503,
        {"error": "maintenance mode: writes refused", "status": "maintenance"},
        "ap-1",
    )
    assert http(pair, LB, "GET", "/items/before")[:2] == (
        200,
        {"key": "before", "value": "v", "node": "ap-1"},
    )
    assert "mode: maintenance" in appliance(pair, "ap-1", "status").output
    assert appliance(pair, "ap-1", "maintenance", "off").ok
    assert http(pair, LB, "POST", "/items", {"key": "after", "value": "v"})[0] == 201
    refused = appliance(pair, "ap-2", "maintenance", "on")
    assert refused.exit_code == 1 and "only a primary has maintenance" in refused.output


def test_promote_is_refused_while_the_primary_answers(pair: RunningStack) -> None:
    res = appliance(pair, "ap-2", "promote")
    assert res.exit_code == 1
    assert "the primary ap-1 still answers and accepts writes" in res.output
    assert "role: replica" in appliance(pair, "ap-2", "status").output


def test_forced_promotion_fences_the_old_primary(pair: RunningStack) -> None:
    res = appliance(pair, "ap-2", "promote", "--force")
    assert res.ok, res.output
    assert "ap-2 promoted to primary (epoch 2, forced)" in res.output
    assert http(pair, AP2, "POST", "/items", {"key": "new", "value": "v"})[0] == 201
    rejoined = wait_until(
        lambda: appliance(pair, "ap-1", "status").output,
        lambda out: "role: replica" in out and "datastore postgres: OK" in out,
        what="ap-1 fenced and following ap-2",
        timeout_s=60,
        interval_s=0.5,
    )
    assert "epoch: 2 (primary: ap-2)" in rejoined
    status, body, _ = http(pair, AP1, "POST", "/items", {"key": "old", "value": "v"})
    assert (status, body["status"]) == (503, "replication")
    assert http(pair, AP2, "GET", "/items/after")[0] == 200  # replicated before
