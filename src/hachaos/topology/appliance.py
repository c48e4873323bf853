"""Active/passive appliance roles, asked of each appliance node at fault time.

Each node's status command (`appliance status`) prints `role: primary|replica|fenced` and
`mode: active|maintenance|replication|fenced|unconfirmed|starting`. The primary is the node
that says it is primary and serves (active or maintenance); a replica says `role: replica`.
After a fault the pair has re-formed when there is one such primary and the other node is a
replica whose replication the status reports OK.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.models import ApplianceTopology, Role
from hachaos.topology.base import HealReport

SERVING_MODES = ("active", "maintenance")
STATUS_TIMEOUT_S = 10.0
_FIELD = re.compile(r"^(role|mode|replication):\s*(\S+)", re.MULTILINE)


@dataclass(frozen=True)
class NodeView:
    """What one node's status command says (empty strings when it did not answer)."""

    node: str
    role: str = ""
    mode: str = ""
    replication: str = ""

    @property
    def is_primary(self) -> bool:
        """Primary and serving: the node clients should reach."""
        return self.role == "primary" and self.mode in SERVING_MODES

    @property
    def is_healthy_replica(self) -> bool:
        """A replica whose replication the node reports OK."""
        return self.role == "replica" and self.replication == "OK"

    def summary(self) -> str:
        """e.g. `ap-1=primary/active`."""
        return f"{self.node}={self.role or '?'}/{self.mode or '?'}"


def parse_view(node: str, output: str) -> NodeView:
    """The role, mode and replication lines of a status output."""
    got = dict(_FIELD.findall(output))
    return NodeView(node, got.get("role", ""), got.get("mode", ""), got.get("replication", ""))


def pair_summary(views: list[NodeView]) -> str:
    """One line naming every node's role and mode."""
    return ", ".join(v.summary() for v in views) or "no appliance node answered"


class ApplianceResolver:
    """Roles from the appliance nodes' own status; other roles as declared."""

    def __init__(self, stack: RunningStack, clock: Clock = REAL_CLOCK) -> None:
        self._stack = stack
        self._topo = stack.topology_as(ApplianceTopology, "appliance role resolution")
        self._clock = clock

    def _appliance_nodes(self) -> list[Node]:
        return [n for r in (Role.PRIMARY, Role.REPLICA) for n in self._stack.declared(r)]

    def _view(self, node: Node) -> NodeView:
        if not node.is_running():
            return NodeView(node.name)
        res = node.exec(self._topo.status_command, timeout_s=STATUS_TIMEOUT_S)
        return parse_view(node.name, res.output) if res.ok else NodeView(node.name)

    def views(self) -> list[NodeView]:
        """Every appliance node's view, asked in parallel."""
        nodes = self._appliance_nodes()
        with ThreadPoolExecutor(max_workers=max(1, len(nodes))) as pool:
            return list(pool.map(self._view, nodes))

    def holders(self, role: Role) -> list[Node]:
        """Running nodes holding `role` now."""
        if role in (Role.PRIMARY, Role.MASTER):
            return [self._stack.node(v.node) for v in self.views() if v.is_primary]
        if role == Role.REPLICA:
            return [self._stack.node(v.node) for v in self.views() if v.role == "replica"]
        return [n for n in self._stack.declared(role) if n.is_running()]

    def await_healed(self, timeout_s: float) -> HealReport:
        """Wait until one node is a serving primary and every other a replica reporting OK."""
        start = self._clock.now_ns()

        def formed(views: list[NodeView]) -> bool:
            primaries = [v for v in views if v.is_primary]
            return len(primaries) == 1 and all(
                v.is_healthy_replica for v in views if not v.is_primary
            )

        try:
            views = wait_until(
                self.views,
                formed,
                what="appliance pair re-formed",
                timeout_s=timeout_s,
                interval_s=0.5,
                clock=self._clock,
            )
        except DeadlineExceeded as exc:
            last = exc.last if isinstance(exc.last, list) else []
            elapsed = (self._clock.now_ns() - start) / 1e9
            return HealReport(False, elapsed, pair_summary(last) if last else str(exc.last))
        return HealReport(True, (self._clock.now_ns() - start) / 1e9, pair_summary(views))
