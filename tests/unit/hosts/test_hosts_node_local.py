"""A hosts node on `local://`: the same scripts a remote host runs, against a real local service
(a main process writing a pidfile, its child, and a process it started in its own session that
`also` names), so kill, pause, resume, stop and start are checked on real processes."""

from __future__ import annotations

import os
import secrets
import signal
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hachaos import node as protocols
from hachaos.backends.hosts.node import HostNode
from hachaos.backends.hosts.plan import NodePlan
from hachaos.backends.hosts.transport import transport_for
from hachaos.errors import FaultError
from hachaos.spec.hosts import ServiceSpec

SERVICE = """
import os, subprocess, sys, time
pidfile, nap = sys.argv[1], sys.argv[2]
subprocess.Popen(["sleep", nap])                         # a child: part of the tree
subprocess.Popen(["sleep", nap + "1"], start_new_session=True)  # detached: found by `also`
with open(pidfile + ".tmp", "w") as f:
    f.write(str(os.getpid()))
os.replace(pidfile + ".tmp", pidfile)
time.sleep(600)
"""


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def processes(pattern: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if pattern in cmd and state(int(proc.name)) not in ("Z", "gone"):
                found.append(int(proc.name))
    return found


@dataclass(frozen=True)
class Svc:
    node: HostNode
    nap: str  # every process of the service has it on its command line


@pytest.fixture
def svc(tmp_path: Path) -> Iterator[Svc]:
    script = tmp_path / "svc.py"
    script.write_text(SERVICE)
    pidfile = tmp_path / "svc.pid"
    nap = f"600.{secrets.randbelow(10**6):06d}"
    start = f"setsid {sys.executable} {script} {pidfile} {nap} </dev/null >/dev/null 2>&1 &"
    spec = ServiceSpec(
        pidfile=str(pidfile),
        also=(f"sleep {nap}1",),
        start=("sh", "-c", start),
        stop=("sh", "-c", f"kill -TERM $(cat {pidfile})"),
    )
    plan = NodePlan(name="svc", role="app", host="local://", ports=(1,), service=spec)
    node = HostNode(plan, transport_for(plan))
    node.start()
    yield Svc(node, nap)
    for pid in processes(nap):
        os.kill(pid, signal.SIGKILL)  # the test's own processes only (their unique nap)


def test_a_host_node_has_every_capability_the_backend_declares(svc: Svc) -> None:
    node = svc.node
    for protocol in (
        protocols.Killable,
        protocols.Stoppable,
        protocols.Pausable,
        protocols.Firewall,
        protocols.Reattachable,
        protocols.TestinfraTarget,
    ):
        assert isinstance(node, protocol)
    assert node.ref().locator == "local://"
    assert node.testinfra_host() == "local://"
    assert node.address().published == {1: ("127.0.0.1", 1)}


def test_pause_freezes_every_process_of_the_service_and_resume_thaws_them(
    svc: Svc,
) -> None:
    node, nap = svc.node, svc.nap
    assert node.is_running() and not node.is_paused()
    node.pause()
    assert node.is_paused()
    assert sorted(state(p) for p in processes(nap)) == ["T", "T", "T"]
    node.resume()
    assert not node.is_paused()
    assert "T" not in {state(p) for p in processes(nap)}


def test_kill_takes_the_whole_service_down_and_start_brings_it_back(svc: Svc) -> None:
    node, nap = svc.node, svc.nap
    first = node.status().pid
    node.kill()
    assert not node.is_running()
    assert processes(nap) == []  # main, child and the detached `also` process
    with pytest.raises(FaultError, match="not running"):
        node.pause()
    node.start()
    assert node.is_running() and node.status().pid != first


def test_stop_runs_the_stop_command(svc: Svc) -> None:
    main = svc.node.status().pid
    assert main is not None
    svc.node.stop(timeout_s=5)
    assert not svc.node.is_running()
    assert state(main) in ("gone", "Z")


def test_exec_and_logs(svc: Svc) -> None:
    node = svc.node
    res = node.exec(["sh", "-c", "echo 'a b'; exit 3"])
    assert (res.exit_code, res.output) == (3, "a b\n")
    assert "no log" in node.logs()
