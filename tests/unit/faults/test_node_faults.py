"""Node faults on fake nodes: capability checks, inject and revert (no Docker)."""

from __future__ import annotations

import pytest
from fakes import FakeNode, Kills, Pauses

from hachaos.clock import FakeClock
from hachaos.errors import FaultError
from hachaos.faults.node_faults import KillFault, PauseFault
from hachaos.history import FaultPhase, History
from hachaos.node import NodeRef
from hachaos.reaper.undo import Resume, StartNode


class KillableNode(Kills, FakeNode):
    """Killable, nothing else."""


def _phases(history: History) -> list[FaultPhase]:
    return [f.phase for f in history.faults]


def test_pause_on_a_node_that_cannot_pause_fails_cleanly_and_is_reverted() -> None:
    history = History()
    fault = PauseFault(FakeNode("n1"), history, FakeClock())
    with pytest.raises(FaultError, match="pause: node n1 cannot be paused"):
        fault.inject()
    # the half-applied fault is reverted (it used to die on is_paused() and stay active)
    assert _phases(history) == [FaultPhase.INJECT, FaultPhase.REVERT]
    fault.revert()  # and a second revert is a no-op, not an AttributeError


def test_kill_holds_and_revert_starts_the_node() -> None:
    node, history = KillableNode("n1"), History()
    with KillFault(node, history, FakeClock()) as fault:
        assert fault.effective and not node.running
    assert node.running
    assert _phases(history) == [FaultPhase.INJECT, FaultPhase.EFFECTIVE, FaultPhase.REVERT]


class JournalledNode(Pauses, Kills, FakeNode):
    """Killable and pausable, and says how a reaper reaches it again."""

    def ref(self) -> NodeRef:
        return NodeRef("hosts", self.name, "ssh://ops@n1:22")


def test_crash_records_name_the_backend_and_how_to_reach_the_node() -> None:
    node = JournalledNode("n1")
    assert KillFault(node).undo_record() == StartNode(node.ref())
    assert PauseFault(node).undo_record() == Resume(node.ref())


def test_a_node_that_cannot_say_how_to_reach_it_is_not_journalled() -> None:
    assert KillFault(KillableNode("n1")).undo_record() is None
