"""The hosts backend for real: VM-like test hosts (sshd + supervisord + Redis Sentinel, one
machine per node) reached only over SSH with a key made for the run. Attach, each fault type
and its revert, a link through the user's own Toxiproxy, the reaper after a SIGKILLed runner,
and bad input (a refused key, a missing service) refused with one line and exit 3."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.hosts.backend import HostsBackend
from hachaos.backends.hosts.node import HostNode
from hachaos.backends.hosts.plan import NodePlan, plan_stack
from hachaos.backends.hosts.transport import SshTransport
from hachaos.clock import REAL_CLOCK, wait_until
from hachaos.faults.base import Fault
from hachaos.faults.registry import FaultContext, build_faults
from hachaos.faults.rules import run_tag_prefix
from hachaos.firewall.request import RuleRequest
from hachaos.history import History
from hachaos.proxy.client import ToxiproxyClient
from hachaos.running import RunningStack
from hachaos.spec.faults import FaultSpec
from hachaos.topology import resolver_for
from hachaos.vmhosts import VmHosts, make_key, vm_hosts

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO / "benchmarks" / "crash_runner.py"


@pytest.fixture(scope="module")
def vms(
    docker_backend: DockerBackend, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VmHosts]:
    with vm_hosts("redis-sentinel", tmp_path_factory.mktemp("vmhosts")) as hosts:
        yield hosts


@pytest.fixture(scope="module")
def attached(vms: VmHosts) -> Iterator[tuple[HostsBackend, RunningStack]]:
    backend = HostsBackend()
    stack = backend.up(vms.stack(), "hc-hostsit1")
    yield backend, stack
    backend.down("hc-hostsit1")


def fault(stack: RunningStack, data: dict[str, object]) -> Fault:
    ctx = FaultContext(stack, resolver_for(stack), History(), random.Random(0), REAL_CLOCK)
    [built] = build_faults(TypeAdapter(FaultSpec).validate_python(data), ctx)
    return built


def host(stack: RunningStack, name: str) -> HostNode:
    node = stack.node(name)
    assert isinstance(node, HostNode)
    return node


def test_attach_reaches_every_host_over_one_connection(
    attached: tuple[HostsBackend, RunningStack],
) -> None:
    backend, stack = attached
    assert sorted(stack.nodes) == sorted(n for n in stack.spec.nodes)
    for node in stack.nodes.values():
        assert node.is_running() and node.exec(["hostname"]).ok
    transports = backend.pool.transports()
    assert len(transports) == 6
    assert [t.connects for t in transports if isinstance(t, SshTransport)] == [1] * 6
    assert host(stack, "redis-1").testinfra_host().startswith("ssh://root@")


@pytest.mark.parametrize("action", ["kill", "stop", "pause", "restart"])
def test_each_node_fault_takes_hold_and_is_reverted(
    attached: tuple[HostsBackend, RunningStack], action: str
) -> None:
    _, stack = attached
    node = host(stack, "sentinel-3")
    before = node.status().pid
    f = fault(stack, {"action": action, "target": {"node": "sentinel-3"}})
    with f:
        assert f.effective, f.efficacy_detail
    status = node.status()
    assert status.running and not status.paused
    assert (status.pid == before) is (action == "pause")


def test_a_partition_is_tagged_rules_on_the_host_removed_on_revert(
    attached: tuple[HostsBackend, RunningStack],
) -> None:
    _, stack = attached
    f = fault(stack, {"action": "partition", "mode": "isolate", "target": {"node": "redis-3"}})
    with f:
        assert f.effective, f.efficacy_detail
    left = host(stack, "redis-3").apply_rules(RuleRequest(remove="hachaos:", prefix=True))
    assert left.removed == 0


@pytest.fixture
def toxiproxy() -> Iterator[str]:
    """A Toxiproxy of "the user's own" on loopback (the embedded one), outliving runners."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "hachaos.proxy", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait()


def with_link(vms: VmHosts, url: str, tmp_path: Path) -> Path:
    """The hosts stack plus link `cache` to redis-3 through the Toxiproxy at `url`."""
    ip = vms.machines.node("redis-3").address().ip
    listen = ToxiproxyClient(url).create_proxy("cache", f"{ip}:6379").listen
    path = tmp_path / "with-link.yaml"
    port = listen.rsplit(":", 1)[1]
    link = f"links:\n  cache: {{upstream: redis-3:6379, listen: {port}}}\n"
    path.write_text(vms.stack_file.read_text() + f"toxiproxy: {url}\n{link}")
    return path


def listen_port(url: str) -> str:
    return ToxiproxyClient(url).get_proxy("cache").listen.rsplit(":", 1)[1]


def test_a_link_fault_goes_through_the_users_toxiproxy(
    vms: VmHosts, toxiproxy: str, tmp_path: Path
) -> None:
    from hachaos.spec.loader import load_stack

    backend = HostsBackend()
    spec = load_stack(with_link(vms, toxiproxy, tmp_path))
    assert "link" in backend.capabilities(spec)
    stack = backend.up(spec, "hc-hostsit2")
    try:
        toxic = {"type": "latency", "attributes": {"latency": 300}}
        f = fault(stack, {"action": "link", "link": "cache", "toxic": toxic})
        with f:
            assert f.effective, f.efficacy_detail
            assert ToxiproxyClient(toxiproxy).toxics("cache")
            assert stack.link_address("cache") == ("127.0.0.1", int(listen_port(toxiproxy)))
        assert ToxiproxyClient(toxiproxy).toxics("cache") == []
    finally:
        backend.down("hc-hostsit2")


@pytest.mark.parametrize("kind", ["pause", "kill", "partition"])
def test_the_reaper_undoes_a_fault_over_ssh_after_the_runner_is_sigkilled(
    vms: VmHosts, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HACHAOS_RUNS_DIR", str(tmp_path))
    cmd = [sys.executable, str(RUNNER), "--type", kind, "--stack", str(vms.stack_file)]
    proc = subprocess.Popen([*cmd, "--node", "redis-3"], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    run_id = proc.stdout.readline().split()[1]
    try:
        assert proc.stdout.readline().startswith("active"), "runner never injected its fault"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    backend = HostsBackend()
    node = backend.nodes([p for p in backend_plans(vms) if p.name == "redis-3"])["redis-3"]
    wait_until(
        node.status,
        lambda s: s.running and not s.paused,
        what=f"{kind} on redis-3 undone by the reaper",
        timeout_s=30,
        interval_s=0.2,
    )
    rules = node.apply_rules(RuleRequest(remove=run_tag_prefix(run_id), prefix=True))
    assert rules.removed == 0
    log = wait_until(
        (tmp_path / run_id / "reaper.log").read_text,
        lambda t: "faults reverted" in t,
        what="reaper summary",
        timeout_s=10,
    )
    assert "1 faults reverted" in log and "FAILED" not in log
    backend.pool.close()


def backend_plans(vms: VmHosts) -> list[NodePlan]:
    return plan_stack(vms.stack())


def hachaos_up(stack_file: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hachaos.cli", "up", str(stack_file), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_refused_key_is_one_line_naming_the_host_exit_3(vms: VmHosts, tmp_path: Path) -> None:
    other, _ = make_key(tmp_path)  # never authorized anywhere
    bad = tmp_path / "bad-key.yaml"
    text = vms.stack_file.read_text()
    bad.write_text(text.replace(str(vms.stack_file.parent.parent / "id_hachaos"), str(other)))
    res = hachaos_up(bad, "--target", vms.target)
    assert res.returncode == 3
    [line] = res.stderr.strip().splitlines()
    assert "the key was refused" in line and "ssh://root@" in line


def test_a_service_that_cannot_be_found_is_one_line_exit_3(vms: VmHosts, tmp_path: Path) -> None:
    bad = tmp_path / "bad-service.yaml"
    text = vms.stack_file.read_text().replace("ready_timeout_s: 30", "ready_timeout_s: 2")
    bad.write_text(
        text.replace("service: {supervisor: sentinel}", "service: {supervisor: nope}", 1)
    )
    res = hachaos_up(bad, "--target", vms.target)
    assert res.returncode == 3
    [line] = res.stderr.strip().splitlines()
    assert "node sentinel-1 (ssh://root@" in line and "service not found" in line
    assert "fix the node's 'service:'" in line
