"""Node faults on fake nodes: capability checks, inject and revert (no Docker)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from hachaos.clock import FakeClock
from hachaos.errors import FaultError
from hachaos.faults.node_faults import KillFault, PauseFault
from hachaos.history import FaultPhase, History
from hachaos.node import Address, ExecResult, NodeRef
from hachaos.reaper.undo import Resume, StartNode


@dataclass
class PlainNode:
    """A node with no optional capability (a host reached read-only, say)."""

    name: str = "n1"
    role: str = "app"
    running: bool = True

    def address(self) -> Address:
        return Address(self.name, None)

    def exec(self, cmd: Sequence[str], timeout_s: float = 30.0) -> ExecResult:
        return ExecResult(0, "")

    def logs(self, tail: int = 50) -> str:
        return ""

    def is_running(self) -> bool:
        return self.running


@dataclass
class KillableNode(PlainNode):
    def kill(self) -> None:
        self.running = False

    def start(self) -> None:
        self.running = True


def _phases(history: History) -> list[FaultPhase]:
    return [f.phase for f in history.faults]


def test_pause_on_a_node_that_cannot_pause_fails_cleanly_and_is_reverted() -> None:
    history = History()
    fault = PauseFault(PlainNode(), history, FakeClock())
    with pytest.raises(FaultError, match="pause: node n1 cannot be paused"):
        fault.inject()
    # the half-applied fault is reverted (it used to die on is_paused() and stay active)
    assert _phases(history) == [FaultPhase.INJECT, FaultPhase.REVERT]
    fault.revert()  # and a second revert is a no-op, not an AttributeError


def test_kill_holds_and_revert_starts_the_node() -> None:
    node, history = KillableNode(), History()
    with KillFault(node, history, FakeClock()) as fault:
        assert fault.effective and not node.running
    assert node.running
    assert _phases(history) == [FaultPhase.INJECT, FaultPhase.EFFECTIVE, FaultPhase.REVERT]


@dataclass
class JournalledNode(KillableNode):
    paused: bool = False

    def ref(self) -> NodeRef:
        return NodeRef("hosts", self.name, "ssh://ops@n1:22")

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def is_paused(self) -> bool:
        return self.paused


def test_crash_records_name_the_backend_and_how_to_reach_the_node() -> None:
    node = JournalledNode()
    assert KillFault(node).undo_record() == StartNode(node.ref())
    assert PauseFault(node).undo_record() == Resume(node.ref())


def test_a_node_that_cannot_say_how_to_reach_it_is_not_journalled() -> None:
    assert KillFault(KillableNode()).undo_record() is None
