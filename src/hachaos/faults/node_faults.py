"""Node faults: kill (SIGKILL), stop (graceful), pause (freeze), restart; each reverted."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded, FaultError
from hachaos.faults.base import Fault
from hachaos.history import History
from hachaos.node import Killable, Node, Pausable, Stoppable, ref_of
from hachaos.reaper.undo import Resume, StartNode, Undo

EFFICACY_TIMEOUT_S = 5.0


class NodeFault(Fault):
    """A fault on one node, confirmed by polling the node's state with a deadline."""

    def __init__(self, node: Node, history: History | None = None, clock: Clock = REAL_CLOCK):
        super().__init__(node.name, history, clock)
        self.node = node

    def undo_record(self) -> Undo | None:
        """Start the node again, through the backend that made it (None: it cannot say how it
        is reached again, so there is nothing a reaper could do)."""
        ref = ref_of(self.node)
        return StartNode(ref) if ref is not None else None

    def _await(self, what: str, cond: bool, probe: Callable[[], bool]) -> tuple[bool, str]:
        try:
            wait_until(
                probe,
                lambda v: bool(v) is cond,
                what=f"{self.node.name} {what}",
                timeout_s=EFFICACY_TIMEOUT_S,
                interval_s=0.02,
                clock=self._clock,
            )
        except DeadlineExceeded as exc:
            return False, str(exc)
        return True, f"{self.node.name} {what}"


def _cannot(node: Node, fault: str, done: str) -> FaultError:
    return FaultError(f"{fault}: node {node.name} cannot be {done} on this backend")


def _killable(node: Node) -> Killable:
    if not isinstance(node, Killable):
        raise _cannot(node, "kill", "killed")
    return node


def _stoppable(node: Node) -> Stoppable:
    if not isinstance(node, Stoppable):
        raise _cannot(node, "stop", "stopped")
    return node


def _pausable(node: Node) -> Pausable:
    if not isinstance(node, Pausable):
        raise _cannot(node, "pause", "paused")
    return node


class KillFault(NodeFault):
    """SIGKILL the node; revert starts it again."""

    name = "kill"

    def _apply(self) -> None:
        _killable(self.node).kill()

    def _holds(self) -> tuple[bool, str]:
        return self._await("is down", False, self.node.is_running)

    def _undo(self) -> None:
        if isinstance(self.node, Killable) and not self.node.is_running():
            self.node.start()


class StopFault(NodeFault):
    """Stop the node gracefully (SIGTERM, SIGKILL after a deadline); revert starts it."""

    name = "stop"

    def __init__(
        self,
        node: Node,
        history: History | None = None,
        clock: Clock = REAL_CLOCK,
        grace_s: float = 10.0,
    ):
        super().__init__(node, history, clock)
        self.grace_s = grace_s

    def _apply(self) -> None:
        _stoppable(self.node).stop(self.grace_s)

    def _holds(self) -> tuple[bool, str]:
        return self._await("is stopped", False, self.node.is_running)

    def _undo(self) -> None:
        if isinstance(self.node, Stoppable) and not self.node.is_running():
            self.node.start()


class PauseFault(NodeFault):
    """Freeze every process of the node; revert thaws it."""

    name = "pause"

    def undo_record(self) -> Undo | None:
        """Thaw the node, through the backend that made it."""
        ref = ref_of(self.node)
        return Resume(ref) if ref is not None else None

    def _apply(self) -> None:
        _pausable(self.node).pause()

    def _holds(self) -> tuple[bool, str]:
        return self._await("is frozen", True, _pausable(self.node).is_paused)

    def _undo(self) -> None:
        # a node that cannot pause was never paused: nothing to thaw
        if isinstance(self.node, Pausable) and self.node.is_paused():
            self.node.resume()


class RestartFault(NodeFault):
    """Kill and immediately start the node (a crash with instant supervisor restart)."""

    name = "restart"

    def _apply(self) -> None:
        node = _killable(self.node)
        node.kill()
        node.start()

    def _holds(self) -> tuple[bool, str]:
        return self._await("is running again", True, self.node.is_running)

    def _undo(self) -> None:
        if isinstance(self.node, Killable) and not self.node.is_running():
            self.node.start()


NODE_FAULTS: dict[str, type[NodeFault]] = {
    f.name: f for f in (KillFault, StopFault, PauseFault, RestartFault)
}
