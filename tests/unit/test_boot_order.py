"""Booting in dependency order: a node starts once what it needs is ready, and only then."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from hachaos.boot_order import boot_in_order
from hachaos.boot_timeline import TimelineRecorder
from hachaos.errors import InfraError

WAIT_S = 10.0  # a bound on each fake wait, never reached when the scheduler is right


@dataclass
class FakeBooter:
    """Nodes that become ready when the test releases them (or at once)."""

    held: dict[str, threading.Event] = field(default_factory=dict)
    exits: dict[str, str] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _note(self, what: str) -> None:
        with self.lock:
            self.log.append(what)

    def create(self, node: str) -> str:
        if node in self.broken:
            raise InfraError(f"cannot create node '{node}'")
        self._note(f"create {node}")
        return f"handle-{node}"

    def start(self, node: str, handle: str) -> None:
        assert handle == f"handle-{node}"
        self._note(f"start {node}")

    def await_ready(
        self, node: str, handle: str, timeout_s: float, abort: threading.Event
    ) -> str | None:
        if node in self.exits:
            return self.exits[node]
        gate = self.held.get(node)
        for _ in range(int(WAIT_S / 0.01)):
            if gate is None or gate.is_set() or abort.is_set():
                return None
            gate.wait(0.01)
        return f"{node} held for {WAIT_S}s"


def test_a_node_does_not_wait_for_nodes_it_does_not_need() -> None:
    # rabbit is released only once app (which needs only pg) is ready: waves would deadlock
    booter = FakeBooter(held={"rabbit": threading.Event()})
    needs = {"etcd": (), "rabbit": (), "pg": ("etcd",), "app": ("pg",)}

    def on_ready(node: str) -> None:
        if node == "app":
            booter.held["rabbit"].set()

    result = boot_in_order(needs, booter, WAIT_S, timeline=TimelineRecorder(), on_ready=on_ready)
    assert result.failures == {}
    assert set(result.handles) == set(needs)
    log = booter.log
    assert log.index("start pg") > log.index("start etcd")
    assert log.index("start app") > log.index("start pg")


def test_a_node_starts_only_once_everything_it_needs_is_ready() -> None:
    booter = FakeBooter(held={"a": threading.Event(), "b": threading.Event()})
    ready: list[str] = []
    needs = {"a": (), "b": (), "c": ("a", "b")}

    def on_ready(node: str) -> None:
        ready.append(node)
        if node == "a":
            assert "start c" not in booter.log
            booter.held["b"].set()

    booter.held["a"].set()
    timeline = TimelineRecorder()
    result = boot_in_order(needs, booter, WAIT_S, timeline=timeline, on_ready=on_ready)
    assert result.failures == {}
    assert ready == ["a", "b", "c"]
    marks = {b.node: b for b in timeline.timeline()}
    assert marks["c"].waited_for == ("a", "b")
    assert marks["c"].started_s >= max(marks["a"].ready_s, marks["b"].ready_s)
    assert marks["c"].created_s <= marks["c"].started_s


def test_a_node_that_exits_aborts_the_boot_and_its_dependents_never_start() -> None:
    booter = FakeBooter(held={"slow": threading.Event()}, exits={"db": "exited with code 3"})
    needs = {"db": (), "slow": (), "app": ("db",)}
    result = boot_in_order(needs, booter, WAIT_S, timeline=TimelineRecorder())
    assert result.failures == {"db": "exited with code 3"}
    assert "start app" not in booter.log  # and slow, held, was released by the abort


def test_an_infrastructure_error_is_raised_after_the_others_returned() -> None:
    booter = FakeBooter(held={"slow": threading.Event()}, broken={"bad"})
    needs = {"slow": (), "bad": (), "after": ("bad",)}
    with pytest.raises(InfraError, match="cannot create node 'bad'"):
        boot_in_order(needs, booter, WAIT_S, timeline=TimelineRecorder())
    assert "start after" not in booter.log


def test_a_dependency_late_past_the_deadline_is_named() -> None:
    class Late(FakeBooter):
        def await_ready(
            self, node: str, handle: str, timeout_s: float, abort: threading.Event
        ) -> str | None:
            if node == "dep":  # neither ready nor failed: its own deadline is the boot's
                abort.wait(timeout_s + 0.2)
                return None
            return super().await_ready(node, handle, timeout_s, abort)

    result = boot_in_order({"dep": (), "app": ("dep",)}, Late(), 0.2, timeline=TimelineRecorder())
    assert result.failures == {"app": "not started after 0.2s: dep not ready"}
