"""Node-to-node partitions: tagged iptables DROP rules in each target's network namespace.

Each node that needs rules gets them through its `Firewall` capability (on Docker a short-lived
helper container in its namespace), in parallel, each call also probing the peers it must no
longer reach. Revert deletes the rules by tag and probes again: connectivity that does not come
back is a FaultError.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.errors import FaultError
from hachaos.faults.base import Fault
from hachaos.faults.grudge import Cut
from hachaos.faults.rules import NodeRules, plan_rules, rule_tag
from hachaos.firewall.parallel import apply_all
from hachaos.firewall.request import Probe, RuleRequest, RuleResponse
from hachaos.history import History
from hachaos.node import Firewall, Node, ref_of
from hachaos.reaper.undo import DeleteRules, Undo

INJECT_SETTLE_S = 3.0
REVERT_SETTLE_S = 5.0


def firewall_of(node: Node) -> Firewall:
    """`node` as a Firewall; FaultError naming it when its backend cannot add rules."""
    if not isinstance(node, Firewall):
        raise FaultError(f"partition: node {node.name} cannot take firewall rules on this backend")
    return node


@dataclass(frozen=True)
class _Placed:
    """One node's rules and the node that carries them out."""

    rules: NodeRules
    node: Node
    wall: Firewall


class PartitionFault(Fault):
    """A Jepsen-style partition (`Cut`) enforced by firewall rules; healed by tag."""

    name = "partition"

    def __init__(
        self,
        cut: Cut,
        nodes: Mapping[str, Node],
        run_id: str,
        *,
        label: str,
        probe_ports: Mapping[str, int] | None = None,
        history: History | None = None,
        clock: Clock = REAL_CLOCK,
    ):
        super().__init__(label, history, clock)
        self.cut = cut
        self.nodes = dict(nodes)
        self.probe_ports = dict(probe_ports or {})
        self.tag = rule_tag(run_id, self.fault_id)
        self._ips: dict[str, str] = {}
        self._placed: list[_Placed] | None = None
        self._inject: dict[str, RuleResponse] = {}

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
                _Placed(r, self.nodes[r.node], firewall_of(self.nodes[r.node]))
                for r in plan_rules(self.cut, ips)
            ]
        return self._placed

    def _probes(self, rules: NodeRules, expect: str) -> tuple[Probe, ...]:
        return tuple(
            Probe(self._ip(p), self.probe_ports.get(p, 1), expect, p) for p in rules.blocked_peers
        )

    def _apply_all(self, requests: Mapping[str, RuleRequest]) -> dict[str, RuleResponse]:
        """One call per placed node (keyed by node name), in parallel."""
        return apply_all({p.rules.node: p.wall for p in self.placement()}, requests)

    def undo_record(self) -> Undo | None:
        """Delete this fault's tagged rules on every node that got some."""
        refs = tuple(r for r in (ref_of(p.node) for p in self.placement()) if r is not None)
        return DeleteRules(refs, self.tag) if refs else None

    def _apply(self) -> None:
        requests = {
            p.rules.node: RuleRequest(
                add=tuple(tuple(r.args(self.tag)) for r in p.rules.rules),
                probes=self._probes(p.rules, "blocked"),
                settle_s=INJECT_SETTLE_S,
            )
            for p in self.placement()
        }
        self._inject = self._apply_all(requests)
        errors = [r.error for r in self._inject.values() if r.error]
        if errors:
            raise FaultError(f"partition: cannot add rules: {errors[0]}")

    def _holds(self) -> tuple[bool, str]:
        problems = []
        for p in self.placement():
            resp = self._inject.get(p.rules.node)
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
            p.rules.node: RuleRequest(
                remove=self.tag, probes=self._probes(p.rules, "reachable"), settle_s=REVERT_SETTLE_S
            )
            for p in self.placement()
        }
        responses = self._apply_all(requests)
        problems = [f"{n}: {r.error}" for n, r in responses.items() if r.error]
        problems += [
            f"{n} cannot reach {f.peer} again ({f.result})"
            for n, r in responses.items()
            for f in r.failed_probes()
        ]
        if problems:
            raise FaultError(f"partition {self.tag} not healed: {'; '.join(problems)}")
