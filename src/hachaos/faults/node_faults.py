"""Node faults: kill (SIGKILL), stop (graceful), pause (freeze), restart; each reverted."""

from __future__ import annotations

from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded, FaultError
from hachaos.faults.base import Fault
from hachaos.history import History
from hachaos.node import Killable, Node, Pausable, Stoppable
from hachaos.reaper.undo import StartContainer, Undo, Unpause

EFFICACY_TIMEOUT_S = 5.0


class NodeFault(Fault):
    """A fault on one node, confirmed by polling the node's state with a deadline."""

    def __init__(self, node: Node, history: History | None = None, clock: Clock = REAL_CLOCK):
        super().__init__(node.name, history, clock)
        self.node = node

    def undo_record(self) -> Undo | None:
        """Start the container again (Docker nodes only)."""
        cid = getattr(self.node, "container_id", None)
        return StartContainer(cid) if cid else None

    def _await(self, what: str, cond: bool, probe: object) -> tuple[bool, str]:
        try:
            wait_until(
                probe,  # type: ignore[arg-type]
                lambda v: bool(v) is cond,
                what=f"{self.node.name} {what}",
                timeout_s=EFFICACY_TIMEOUT_S,
                interval_s=0.02,
                clock=self._clock,
            )
        except DeadlineExceeded as exc:
            return False, str(exc)
        return True, f"{self.node.name} {what}"


def _require(node: Node, capability: type, fault: str) -> None:
    if not isinstance(node, capability):
        raise FaultError(f"{fault}: node {node.name} cannot be {fault}ed on this backend")


class KillFault(NodeFault):
    """SIGKILL the node; revert starts it again."""

    name = "kill"

    def _apply(self) -> None:
        _require(self.node, Killable, "kill")
        self.node.kill()  # type: ignore[attr-defined]

    def _holds(self) -> tuple[bool, str]:
        return self._await("is down", False, self.node.is_running)

    def _undo(self) -> None:
        if not self.node.is_running():
            self.node.start()  # type: ignore[attr-defined]


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
        _require(self.node, Stoppable, "stop")
        self.node.stop(self.grace_s)  # type: ignore[attr-defined]

    def _holds(self) -> tuple[bool, str]:
        return self._await("is stopped", False, self.node.is_running)

    def _undo(self) -> None:
        if not self.node.is_running():
            self.node.start()  # type: ignore[attr-defined]


class PauseFault(NodeFault):
    """Freeze every process of the node; revert thaws it."""

    name = "pause"

    def undo_record(self) -> Undo | None:
        """Thaw the container (Docker nodes only)."""
        cid = getattr(self.node, "container_id", None)
        return Unpause(cid) if cid else None

    def _apply(self) -> None:
        _require(self.node, Pausable, "pause")
        self.node.pause()  # type: ignore[attr-defined]

    def _holds(self) -> tuple[bool, str]:
        return self._await("is frozen", True, self.node.is_paused)  # type: ignore[attr-defined]

    def _undo(self) -> None:
        if self.node.is_paused():  # type: ignore[attr-defined]
            self.node.resume()  # type: ignore[attr-defined]


class RestartFault(NodeFault):
    """Kill and immediately start the node (a crash with instant supervisor restart)."""

    name = "restart"

    def _apply(self) -> None:
        _require(self.node, Killable, "kill")
        self.node.kill()  # type: ignore[attr-defined]
        self.node.start()  # type: ignore[attr-defined]

    def _holds(self) -> tuple[bool, str]:
        return self._await("is running again", True, self.node.is_running)

    def _undo(self) -> None:
        if not self.node.is_running():
            self.node.start()  # type: ignore[attr-defined]


NODE_FAULTS: dict[str, type[NodeFault]] = {
    f.name: f for f in (KillFault, StopFault, PauseFault, RestartFault)
}
