"""The blunt partition: `docker network disconnect`, reconnected with the node's aliases."""

from __future__ import annotations

from typing import Any

import docker
from docker.errors import APIError, NotFound

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.errors import FaultError
from hachaos.faults.base import Fault
from hachaos.faults.partition import container_id
from hachaos.history import History
from hachaos.node import Node
from hachaos.reaper.undo import Reconnect, Undo


def attachment(api: docker.APIClient, cid: str, network: str) -> dict[str, Any] | None:
    """The container's endpoint on `network`, or None when it is not attached."""
    info = api.inspect_container(cid)
    nets: dict[str, Any] = info["NetworkSettings"]["Networks"] or {}
    return nets.get(network)


def reconnect(api: docker.APIClient, undo: Reconnect) -> bool:
    """Attach again with the same aliases (and the same IP when the engine allows it);
    returns False when it was already attached."""
    if attachment(api, undo.container_id, undo.network) is not None:
        return False
    try:
        api.connect_container_to_network(
            undo.container_id, undo.network, aliases=list(undo.aliases), ipv4_address=undo.ip
        )
    except APIError:  # a fixed IP needs a user-configured subnet: take any free one
        api.connect_container_to_network(
            undo.container_id, undo.network, aliases=list(undo.aliases)
        )
    return True


class DisconnectFault(Fault):
    """Detach one node from the stack network; revert re-attaches it under the same alias."""

    name = "disconnect"

    def __init__(
        self,
        node: Node,
        api: docker.APIClient,
        network: str,
        history: History | None = None,
        clock: Clock = REAL_CLOCK,
    ):
        super().__init__(node.name, history, clock)
        self.node = node
        self.api = api
        self.network = network
        self._record_cache: Reconnect | None = None

    def undo_record(self) -> Undo | None:
        """Reconnect with the aliases and IP the node has now."""
        return self._reconnect()

    def _reconnect(self) -> Reconnect:
        if self._record_cache is None:
            cid = container_id(self.node)
            ep = attachment(self.api, cid, self.network)
            if ep is None:
                raise FaultError(f"disconnect: {self.node.name} is not on network {self.network}")
            aliases = tuple(a for a in ep.get("Aliases") or () if not cid.startswith(a))
            self._record_cache = Reconnect(
                self.network, cid, aliases or (self.node.name,), ep.get("IPAddress") or None
            )
        return self._record_cache

    def _apply(self) -> None:
        undo = self._reconnect()
        try:
            self.api.disconnect_container_from_network(undo.container_id, self.network)
        except (APIError, NotFound) as exc:
            raise FaultError(f"disconnect {self.node.name}: {exc}") from None

    def _holds(self) -> tuple[bool, str]:
        ep = attachment(self.api, self._reconnect().container_id, self.network)
        if ep is not None:
            return False, f"{self.node.name} is still attached to {self.network}"
        return True, f"{self.node.name} detached from {self.network}"

    def _undo(self) -> None:
        undo = self._reconnect()
        try:
            reconnect(self.api, undo)
        except NotFound:
            return  # container gone: nothing to reconnect
        except APIError as exc:
            raise FaultError(f"reconnect {self.node.name} to {self.network}: {exc}") from None
        if attachment(self.api, undo.container_id, self.network) is None:
            raise FaultError(f"{self.node.name} is not attached to {self.network} after reconnect")
        forget = getattr(self.node, "_forget_address", None)
        if callable(forget):
            forget()  # the IP may have changed
