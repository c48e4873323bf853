"""Redis roles from the Sentinels: the master is whoever most Sentinels name now."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.clients.redis_discovery import SentinelDiscovery
from hachaos.clients.redis_sentinel import MappedSentinel, master_by_majority
from hachaos.errors import HachaosError
from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.models import RedisSentinelTopology, Role

DATA_ROLES = (Role.MASTER, Role.PRIMARY, Role.REPLICA)


def sentinel_for(stack: RunningStack, timeout_s: float = 0.5) -> MappedSentinel:
    """A MappedSentinel over every declared Sentinel's published port."""
    topo = stack.topology_as(RedisSentinelTopology, "Sentinel discovery")
    addrs = [n.address().host_port(topo.sentinel_port) for n in stack.declared(Role.SENTINEL)]
    return MappedSentinel(addrs, stack.host_address, timeout_s)


def discovery_for(stack: RunningStack, timeout_s: float = 0.1) -> SentinelDiscovery:
    """Discovery that asks every declared Sentinel on its published port."""
    topo = stack.topology_as(RedisSentinelTopology, "Sentinel discovery")

    def published(node: Node) -> Callable[[], tuple[str, int] | None]:
        return lambda: node.address().published.get(topo.sentinel_port)

    resolvers = [published(n) for n in stack.declared(Role.SENTINEL)]
    return SentinelDiscovery(resolvers, stack.host_address, topo.master_name, timeout_s)


class RedisSentinelResolver:
    """Master = the Sentinels' majority answer; replicas = other running data nodes."""

    def __init__(self, stack: RunningStack) -> None:
        self._stack = stack
        self._topo = stack.topology_as(RedisSentinelTopology, "Sentinel role resolution")

    def master(self) -> Node:
        """The node the Sentinels currently name as master."""
        addr = master_by_majority(sentinel_for(self._stack), self._topo.master_name)
        if addr is None:
            raise HachaosError(
                f"no Sentinel of run {self._stack.run_id} answers for '{self._topo.master_name}'"
            )
        node = self._stack.node_at(addr[0])
        if node is None:
            raise HachaosError(
                f"Sentinels name master {addr[0]}:{addr[1]}, not a node of this stack"
            )
        return node

    def _data_nodes(self) -> list[Node]:
        return [n for r in DATA_ROLES for n in self._stack.declared(r)]

    def holders(self, role: Role) -> list[Node]:
        """Running nodes holding `role` now."""
        if role in (Role.MASTER, Role.PRIMARY):
            return [self.master()]
        if role == Role.REPLICA:
            master = self.master()
            return [n for n in self._data_nodes() if n.name != master.name and n.is_running()]
        return [n for n in self._stack.declared(role) if n.is_running()]
