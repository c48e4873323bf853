"""The blunt partition: detach a node from the stack network; revert attaches it again under
the same names (its backend's `Disconnectable` capability: `docker network disconnect`)."""

from __future__ import annotations

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.errors import FaultError
from hachaos.faults.base import Fault
from hachaos.history import History
from hachaos.node import Attachment, Disconnectable, Node, ref_of
from hachaos.reaper.undo import Reconnect, Undo


def disconnectable(node: Node) -> Disconnectable:
    """`node` as Disconnectable; FaultError naming it when its backend cannot detach it."""
    if not isinstance(node, Disconnectable):
        raise FaultError(f"disconnect: node {node.name} cannot be disconnected on this backend")
    return node


class DisconnectFault(Fault):
    """Detach one node from the stack network; revert re-attaches it under the same names."""

    name = "disconnect"

    def __init__(self, node: Node, history: History | None = None, clock: Clock = REAL_CLOCK):
        super().__init__(node.name, history, clock)
        self.node = node
        self._attached: Attachment | None = None

    def _attachment(self) -> Attachment:
        """Where the node is attached before the fault (read once, before it is applied)."""
        if self._attached is None:
            self._attached = disconnectable(self.node).attachment()
            if self._attached is None:
                raise FaultError(f"disconnect: {self.node.name} is not on the stack network")
        return self._attached

    def undo_record(self) -> Undo | None:
        """Reconnect with the names and IP the node has now."""
        ref = ref_of(self.node)
        return Reconnect(ref, self._attachment()) if ref is not None else None

    def _apply(self) -> None:
        self._attachment()
        disconnectable(self.node).disconnect()

    def _holds(self) -> tuple[bool, str]:
        network = self._attachment().network
        if disconnectable(self.node).attachment() is not None:
            return False, f"{self.node.name} is still attached to {network}"
        return True, f"{self.node.name} detached from {network}"

    def _undo(self) -> None:
        node, attached = disconnectable(self.node), self._attachment()
        if node.reconnect(attached) and node.attachment() is None:
            raise FaultError(
                f"{self.node.name} is not attached to {attached.network} after reconnect"
            )
