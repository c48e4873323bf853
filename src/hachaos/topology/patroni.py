"""Postgres roles from Patroni: the primary is the member Patroni's REST API names leader now.

Every Patroni node serves `GET /cluster` (its view of the DCS). The resolver asks each declared
Postgres node's published REST port and takes the leader most answers agree on; replicas are the
other members that are running. Views are immutable snapshots (as in Patroni's own `Cluster`).
"""

from __future__ import annotations

import json
import urllib.request
from collections import Counter
from dataclasses import dataclass
from typing import Any

from hachaos.clients.postgres import PgTarget
from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded, HachaosError
from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.models import PatroniTopology, Role
from hachaos.topology.base import ClaimReport

DATA_ROLES = (Role.PRIMARY, Role.MASTER, Role.REPLICA)
LEADER_ROLES = ("leader", "master", "primary", "standby_leader")
SYNC_ROLES = ("sync_standby",)
RUNNING_STATES = ("running", "streaming")


@dataclass(frozen=True)
class Member:
    """One Patroni member as a node's view of the cluster shows it."""

    name: str
    role: str
    state: str
    lag: int | None = None

    @property
    def is_leader(self) -> bool:
        """True for the member holding the leader key."""
        return self.role in LEADER_ROLES

    @property
    def is_running(self) -> bool:
        """True when Postgres runs (or streams) on the member."""
        return self.state in RUNNING_STATES


@dataclass(frozen=True)
class ClusterView:
    """One node's answer to `GET /cluster`."""

    source: str
    members: tuple[Member, ...]

    @property
    def leader(self) -> str | None:
        """The leader's member name, if the view has one."""
        return next((m.name for m in self.members if m.is_leader), None)

    @property
    def sync_standbys(self) -> tuple[str, ...]:
        """Members Patroni lists as synchronous standbys (streaming ones only)."""
        return tuple(m.name for m in self.members if m.role in SYNC_ROLES and m.is_running)


def sync_claim(views: list[ClusterView]) -> ClaimReport:
    """`replication: sync` holds when some view lists a running synchronous standby."""
    names = sorted({n for v in views for n in v.sync_standbys})
    if names:
        return ClaimReport("replication: sync", True, f"sync standby: {', '.join(names)}")
    roles = sorted({f"{m.name}={m.role}" for v in views for m in v.members})
    seen = f"members: {', '.join(roles)}" if roles else "no Patroni node answered"
    return ClaimReport("replication: sync", False, f"no synchronous standby in /cluster; {seen}")


def parse_cluster(source: str, doc: dict[str, Any]) -> ClusterView:
    """Build a ClusterView from a `/cluster` JSON document."""
    members = tuple(
        Member(str(m["name"]), str(m.get("role", "")), str(m.get("state", "")), _lag(m))
        for m in doc.get("members", [])
    )
    return ClusterView(source, members)


def _lag(member: dict[str, Any]) -> int | None:
    lag = member.get("lag")
    return lag if isinstance(lag, int) else None


def fetch_cluster(source: str, host: str, port: int, timeout_s: float) -> ClusterView:
    """Ask one Patroni REST API for its view of the cluster."""
    with urllib.request.urlopen(f"http://{host}:{port}/cluster", timeout=timeout_s) as resp:
        return parse_cluster(source, json.loads(resp.read()))


def entry_target(stack: RunningStack) -> PgTarget:
    """The client entry point (e.g. HAProxy's write port) as the runner reaches it."""
    topo = stack.topology_as(PatroniTopology, "patroni role resolution")
    if topo.entry.node not in stack.nodes:
        raise HachaosError(f"topology.entry names unknown node '{topo.entry.node}'")
    host, port = stack.node(topo.entry.node).address().host_port(topo.entry.port)
    return PgTarget(host, port, topo.database, topo.user, topo.password)


class PatroniResolver:
    """Primary = the leader most reachable Patroni nodes name; replicas = other running members."""

    def __init__(
        self, stack: RunningStack, timeout_s: float = 0.5, clock: Clock = REAL_CLOCK
    ) -> None:
        self._stack = stack
        self._topo = stack.topology_as(PatroniTopology, "patroni role resolution")
        self._timeout_s = timeout_s
        self._clock = clock

    def _data_nodes(self) -> list[Node]:
        return [n for r in DATA_ROLES for n in self._stack.declared(r)]

    def views(self) -> list[ClusterView]:
        """Every answer from the declared Postgres nodes' REST APIs (unreachable ones skipped)."""
        out = []
        for node in self._data_nodes():
            try:
                host, port = node.address().host_port(self._topo.rest_port)
                out.append(fetch_cluster(node.name, host, port, self._timeout_s))
            except (OSError, ValueError, KeyError):
                continue
        return out

    def leader_name(self) -> str:
        """The member name most views agree holds the leader key."""
        votes = Counter(v.leader for v in self.views() if v.leader)
        if not votes:
            raise HachaosError(f"no Patroni node of run {self._stack.run_id} names a leader")
        return votes.most_common(1)[0][0]

    def primary(self) -> Node:
        """The node Patroni names leader now."""
        name = self.leader_name()
        if name not in self._stack.nodes:
            raise HachaosError(f"Patroni names leader '{name}', not a node of this stack")
        return self._stack.node(name)

    def holders(self, role: Role) -> list[Node]:
        """Running nodes holding `role` now."""
        if role in (Role.PRIMARY, Role.MASTER):
            return [self.primary()]
        if role == Role.REPLICA:
            leader = self.leader_name()
            return [n for n in self._data_nodes() if n.name != leader and n.is_running()]
        return [n for n in self._stack.declared(role) if n.is_running()]

    def check_claims(self, timeout_s: float) -> tuple[ClaimReport, ...]:
        """`replication: sync` must show a synchronous standby in Patroni's `/cluster` (given
        `timeout_s` to appear: Patroni names one within a loop_wait of a replica streaming)."""
        if self._topo.replication != "sync":
            return ()
        try:
            report = wait_until(
                lambda: sync_claim(self.views()),
                lambda r: r.holds,
                what="a synchronous standby",
                timeout_s=timeout_s,
                interval_s=0.5,
                clock=self._clock,
            )
        except DeadlineExceeded:
            report = sync_claim(self.views())
        return (report,)
