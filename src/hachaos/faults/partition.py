"""Node-to-node partitions: tagged iptables DROP rules in each target's network namespace.

Rules are added by short-lived helper containers (`faults/netns.py`), one per node that needs
rules, in parallel, each also probing the peers it must no longer reach. Revert deletes the rules
by tag and probes again: connectivity that does not come back is a FaultError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.errors import FaultError
from hachaos.faults.base import Fault
from hachaos.faults.grudge import Cut
from hachaos.faults.netns import DockerNetns, NetnsRequest, NetnsResponse, Probe
from hachaos.faults.rules import NodeRules, plan_rules, rule_tag
from hachaos.history import History
from hachaos.node import Node
from hachaos.reaper.undo import DeleteRules, Undo

INJECT_SETTLE_S = 3.0
REVERT_SETTLE_S = 5.0


def container_id(node: Node) -> str:
    """The Docker container behind `node`; FaultError on other backends."""
    cid = getattr(node, "container_id", None)
    if not cid:
        raise FaultError(f"partition: node {node.name} is not a Docker container")
    return str(cid)


@dataclass(frozen=True)
class _Placed:
    """One node's rules with what the helper needs to reach it."""

    rules: NodeRules
    container_id: str


class PartitionFault(Fault):
    """A Jepsen-style partition (`Cut`) enforced by firewall rules; healed by tag."""

    name = "partition"

    def __init__(
        self,
        cut: Cut,
        nodes: Mapping[str, Node],
        netns: DockerNetns,
        *,
        label: str,
        probe_ports: Mapping[str, int] | None = None,
        history: History | None = None,
        clock: Clock = REAL_CLOCK,
    ):
        super().__init__(label, history, clock)
        self.cut = cut
        self.nodes = dict(nodes)
        self.netns = netns
        self.probe_ports = dict(probe_ports or {})
        self.tag = rule_tag(netns.run_id, self.fault_id)
        self._ips: dict[str, str] = {}
        self._placed: list[_Placed] | None = None
        self._inject: dict[str, NetnsResponse] = {}

    def _ip(self, node: str) -> str:
        if node not in self._ips:
            ip = self.nodes[node].address().ip
            if not ip:
                raise FaultError(f"partition: node {node} has no address in the stack network")
            self._ips[node] = ip
        return self._ips[node]

    def placement(self) -> list[_Placed]:
        """Which node gets which rules (computed once, from the nodes' current addresses)."""
        if self._placed is None:
            ips = {n: self._ip(n) for n in self.cut.nodes()}
            self._placed = [
                _Placed(r, container_id(self.nodes[r.node])) for r in plan_rules(self.cut, ips)
            ]
        return self._placed

    def _probes(self, rules: NodeRules, expect: str) -> tuple[Probe, ...]:
        return tuple(
            Probe(self._ip(p), self.probe_ports.get(p, 1), expect, p) for p in rules.blocked_peers
        )

    def undo_record(self) -> Undo | None:
        """Delete this fault's tagged rules in every namespace that got some."""
        return DeleteRules(tuple(p.container_id for p in self.placement()), self.tag)

    def _apply(self) -> None:
        requests = {
            p.container_id: NetnsRequest(
                add=tuple(tuple(r.args(self.tag)) for r in p.rules.rules),
                probes=self._probes(p.rules, "blocked"),
                settle_s=INJECT_SETTLE_S,
            )
            for p in self.placement()
        }
        self._inject = self.netns.run_many(requests)
        errors = [r.error for r in self._inject.values() if r.error]
        if errors:
            raise FaultError(f"partition: cannot add rules: {errors[0]}")

    def _holds(self) -> tuple[bool, str]:
        problems = []
        for p in self.placement():
            resp = self._inject.get(p.container_id)
            if resp is None or resp.skipped:
                problems.append(f"{p.rules.node}: {resp.skipped if resp else 'no helper ran'}")
                continue
            problems += [
                f"{p.rules.node} still reaches {f.peer} ({f.result})" for f in resp.failed_probes()
            ]
        if problems:
            return False, "; ".join(problems)
        return True, f"{self.cut.describe()} (every peer probe blocked)"

    def _undo(self) -> None:
        requests = {
            p.container_id: NetnsRequest(
                remove=self.tag, probes=self._probes(p.rules, "reachable"), settle_s=REVERT_SETTLE_S
            )
            for p in self.placement()
        }
        responses = self.netns.run_many(requests)
        by_cid = {p.container_id: p.rules.node for p in self.placement()}
        problems = [f"{by_cid[c]}: {r.error}" for c, r in responses.items() if r.error]
        problems += [
            f"{by_cid[c]} cannot reach {f.peer} again ({f.result})"
            for c, r in responses.items()
            for f in r.failed_probes()
        ]
        if problems:
            raise FaultError(f"partition {self.tag} not healed: {'; '.join(problems)}")
