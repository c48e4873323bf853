"""RabbitMQ roles from the cluster itself, asked at fault time through `rabbitmqctl`.

* `rabbit`: declared nodes the cluster lists as running;
* `primary` / `master`: the node leading the topology's quorum queue now;
* `replica`: running members other than the leader.

`rabbitmqctl` boots an Erlang VM per call (0.5-1.5 s): right for choosing a target, far too
slow for measuring recovery (the AMQP probe does that).
"""

from __future__ import annotations

from hachaos.clients.amqp import Endpoint, Endpoints
from hachaos.errors import HachaosError
from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.models import RabbitMQTopology, Role
from hachaos.topology.base import HealReport
from hachaos.topology.rabbitmq_ctl import QueueView, parse_queues, parse_running
from hachaos.topology.rabbitmq_heal import RabbitMQHealer

CTL_TIMEOUT_S = 15.0


def amqp_endpoints(stack: RunningStack) -> Endpoints:
    """The runner-reachable AMQP address of every declared RabbitMQ node, looked up on each
    call (a restarted container gets new published ports)."""
    port = stack.topology_as(RabbitMQTopology, "rabbitmq role resolution").amqp_port

    def endpoints() -> list[Endpoint]:
        out = []
        for node in stack.declared(Role.RABBIT):
            published = node.address().published.get(port)
            if published is not None:
                out.append(Endpoint(node.name, published[0], published[1]))
        return out

    return endpoints


class RabbitMQResolver:
    """Roles from the cluster: asks the first running node that answers."""

    def __init__(self, stack: RunningStack) -> None:
        self._stack = stack
        self._topo = stack.topology_as(RabbitMQTopology, "rabbitmq role resolution")

    def ctl(self, *args: str) -> str:
        """Output of `rabbitmqctl -q ARGS` on the first running node where it succeeds."""
        tried: list[str] = []
        for node in self._stack.declared(Role.RABBIT):
            if not node.is_running():
                continue
            res = node.exec(["rabbitmqctl", "-q", *args], timeout_s=CTL_TIMEOUT_S)
            if res.ok:
                return res.output
            tried.append(f"{node.name}: {res.output.strip()[-80:]}")
        raise HachaosError(
            f"no RabbitMQ node of run {self._stack.run_id} answers rabbitmqctl {args[0]}"
            + (f" ({'; '.join(tried)})" if tried else " (none is running)")
        )

    def queue(self) -> QueueView:
        """The topology's quorum queue as the cluster reports it now."""
        out = self.ctl("list_queues", "name", "leader", "members", "online", "--formatter", "json")
        for q in parse_queues(out):
            if q.name == self._topo.queue:
                return q
        raise HachaosError(
            f"quorum queue '{self._topo.queue}' does not exist yet: it is declared by the "
            "first amqp-publish probe or rabbitmq-ledger"
        )

    def running(self) -> tuple[str, ...]:
        """Names of the nodes the cluster lists as running."""
        return parse_running(self.ctl("cluster_status", "--formatter", "json"))

    def leader(self) -> Node:
        """The node leading the quorum queue now."""
        q = self.queue()
        if q.leader is None or q.leader not in self._stack.nodes:
            raise HachaosError(f"quorum queue '{q.name}' has no leader in this stack now")
        return self._stack.node(q.leader)

    def holders(self, role: Role) -> list[Node]:
        """Running nodes holding `role` now."""
        if role in (Role.PRIMARY, Role.MASTER):
            return [self.leader()]
        if role == Role.REPLICA:
            q = self.queue()
            nodes = self._stack.nodes
            return [nodes[n] for n in q.online if n != q.leader and n in nodes]
        if role == Role.RABBIT:
            running = set(self.running())
            return [n for n in self._stack.declared(Role.RABBIT) if n.name in running]
        return [n for n in self._stack.declared(role) if n.is_running()]

    def await_healed(self, timeout_s: float) -> HealReport:
        """Wait until the cluster has re-formed (restarting a stuck app once if needed)."""
        return RabbitMQHealer(self._stack, self._topo.queue).await_healed(timeout_s)
