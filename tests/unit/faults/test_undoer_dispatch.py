"""Undoer.undo replays each record through the backend its NodeRef names (fake backends and
nodes: no Docker, no proxy)."""

from __future__ import annotations

import pytest
from backend_fakes import FakeBackend, HostNode
from fakes import FakeNode

from hachaos.errors import FaultError
from hachaos.node import Attachment, NodeRef
from hachaos.reaper.actions import Undoer
from hachaos.reaper.undo import DeleteRules, EnableProxy, Reconnect, RemoveToxic, Resume, StartNode


def undoer(teardown: bool = False) -> tuple[Undoer, dict[str, FakeBackend]]:
    backends = {
        "hosts": FakeBackend("hosts", False, {"ssh://a": HostNode("a"), "ssh://b": HostNode("b")}),
        "docker": FakeBackend("docker", True, {"c1": HostNode("c1")}),
    }
    return Undoer("hc-1", teardown=teardown, backend_factory=backends.__getitem__), backends


def node(backends: dict[str, FakeBackend], backend: str, locator: str) -> HostNode:
    found = backends[backend].nodes[locator]
    assert isinstance(found, HostNode)
    return found


A = NodeRef("hosts", "a", "ssh://a")
B = NodeRef("hosts", "b", "ssh://b")
GONE = NodeRef("hosts", "z", "ssh://gone")


def test_each_node_record_goes_through_the_backend_that_made_the_node() -> None:
    u, backends = undoer()
    assert u.undo(Resume(A)) == "resumed a (ssh://a)"
    assert u.undo(StartNode(B)) == "started b (ssh://b)"
    assert u.undo(DeleteRules((A, B, GONE), "hachaos:hc-1:p-1")) == (
        "deleted 4 rule(s) tagged hachaos:hc-1:p-1"
    )
    assert u.undo(Reconnect(A, Attachment("net", ("a",)))).startswith("reconnected a")
    assert node(backends, "hosts", "ssh://a").actions == [
        "resume",
        "rules -hachaos:hc-1:p-1",
        "reconnect net",
    ]
    assert node(backends, "hosts", "ssh://b").actions == ["start", "rules -hachaos:hc-1:p-1"]
    assert {run for _, run in backends["hosts"].reattached} == {"hc-1"}
    assert backends["docker"].reattached == []


def test_a_gone_node_is_nothing_left_to_undo() -> None:
    u, _ = undoer()
    assert u.undo(Resume(GONE)) == "z (ssh://gone) gone"
    assert u.undo(StartNode(GONE)) == "z (ssh://gone) already running or gone"
    assert u.undo(DeleteRules((GONE,), "t")) == "deleted 0 rule(s) tagged t"


def test_teardown_skips_restarts_only_where_teardown_removes_the_node() -> None:
    u, backends = undoer(teardown=True)
    docker_node = NodeRef("docker", "c1", "c1")
    assert u.undo(StartNode(docker_node)) == "c1 (c1) left for teardown"
    assert u.undo(StartNode(A)) == "started a (ssh://a)"  # hosts: nothing removes the host
    assert backends["docker"].reattached == []


def test_a_node_lacking_the_capability_is_a_failed_undo() -> None:
    read_only = FakeNode("ro", running=False)  # no optional capability: it cannot resume
    u = Undoer("hc-1", backend_factory=lambda name: FakeBackend(name, False, {"x": read_only}))
    with pytest.raises(FaultError, match="backend ro-hosts cannot resume ro"):
        u.undo(Resume(NodeRef("ro-hosts", "ro", "x")))


def test_link_records_need_no_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hachaos.reaper.actions.remove_toxic", lambda u: f"toxic {u.toxic}")
    monkeypatch.setattr("hachaos.reaper.actions.enable_proxy", lambda u: f"proxy {u.proxy}")
    u = Undoer("hc-1", backend_factory=lambda name: pytest.fail("no backend expected"))
    assert u.undo(RemoveToxic("http://tp", "redis", "t1")) == "toxic t1"
    assert u.undo(EnableProxy("http://tp", "redis")) == "proxy redis"
