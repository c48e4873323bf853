"""The hosts backend end to end on `local://` (no Docker, no SSH): attach writes the run's record
first; a reaper in a fresh backend reattaches through it and undoes a journalled pause; down()
releases the run. Capabilities: never a network disconnect, links only with a Toxiproxy."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from hachaos.backends.hosts.backend import HostsBackend
from hachaos.backends.hosts.node import HostNode
from hachaos.backends.hosts.record import read_record
from hachaos.capabilities import Capability
from hachaos.errors import FaultError
from hachaos.node import NodeRef
from hachaos.reaper.journal import Journal
from hachaos.reaper.reap import reap_run
from hachaos.reaper.undo import Resume
from hachaos.spec.models import StackSpec


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[StackSpec]:
    """A hosts stack whose one node is a real local process found by a unique pattern."""
    monkeypatch.setenv("HACHAOS_RUNS_DIR", str(tmp_path / "runs"))
    nap = f"600.{secrets.randbelow(10**6):06d}"
    start = f"setsid sleep {nap} </dev/null >/dev/null 2>&1 &"
    spec = StackSpec.model_validate(
        {
            "name": "local-svc",
            "backend": "hosts",
            "ready_timeout_s": 5,
            "nodes": {
                "svc": {
                    "role": "app",
                    "host": "local://",
                    "service": {
                        "pgrep": f"^sleep {nap}$",
                        "start": ["sh", "-c", start],
                        "stop": ["pkill", "-f", f"^sleep {nap}$"],
                    },
                    "ready": [{"exec": ["true"]}],
                }
            },
        }
    )
    os.system(start)
    yield spec
    os.system(f"pkill -KILL -f '^sleep {nap}$'")


def test_attach_records_the_run_and_a_fresh_backend_reattaches(stack: StackSpec) -> None:
    backend = HostsBackend()
    running = backend.up(stack, "hc-local1")
    record = read_record("hc-local1")
    assert record is not None and record.stack == "local-svc" and not record.released
    assert backend.run_ids() == {"hc-local1"}
    node = running.node("svc")
    assert isinstance(node, HostNode) and node.is_running()
    again = HostsBackend().reattach(node.ref(), "hc-local1")
    assert again is not None and again.is_running()
    with pytest.raises(FaultError, match="no record of node ghost"):
        HostsBackend().reattach(NodeRef("hosts", "ghost", "local://"), "hc-local1")
    report = backend.down("hc-local1")
    assert report.containers == 0
    assert backend.run_ids() == set()
    assert node.is_running()  # down() removes nothing


def test_the_reaper_undoes_a_journalled_pause_through_the_hosts_backend(stack: StackSpec) -> None:
    running = HostsBackend().up(stack, "hc-local2")
    node = running.node("svc")
    assert isinstance(node, HostNode)
    journal = Journal.for_run("hc-local2")
    journal.mark_run("hosts")
    journal.begin("pause-1", "svc", Resume(node.ref()))
    node.pause()
    assert node.is_paused()
    summary = reap_run("hc-local2", journal)  # a reaper process does exactly this
    assert summary.ok and summary.reverted == ("pause-1: resumed svc (local://)",)
    assert not node.is_paused()
    assert HostsBackend().run_ids() == set()  # released by the teardown


def test_capabilities_are_declared_from_the_spec_alone(stack: StackSpec) -> None:
    backend = HostsBackend()
    declared = backend.capabilities(stack)
    assert Capability.DISCONNECT not in declared and Capability.LINK not in declared
    assert {Capability.KILL, Capability.STOP, Capability.PAUSE, Capability.FIREWALL} <= declared
    with_proxy = stack.model_copy(update={"toxiproxy": "http://127.0.0.1:8474"})
    assert Capability.LINK in backend.capabilities(with_proxy)


def test_the_hosts_backend_attaches_like_any_attachable_backend(stack: StackSpec) -> None:
    from hachaos.backends.base import Attachable

    backend = HostsBackend()
    assert isinstance(backend, Attachable)
    running = backend.attach(stack, "hc-local3")
    assert running.run_id == "hc-local3" and running.backend == "hosts"
    assert running.node("svc").is_running()
