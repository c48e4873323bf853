"""From a partition `Cut` to iptables rules per node, tagged so leftovers can be found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hachaos.faults.grudge import Cut

TAG_PREFIX = "hachaos"


def rule_tag(run_id: str, fault_id: str) -> str:
    """The comment every rule of one fault carries: `hachaos:<run_id>:<fault_id>`."""
    return f"{TAG_PREFIX}:{run_id}:{fault_id}"


def run_tag_prefix(run_id: str) -> str:
    """The comment prefix shared by every rule of a run."""
    return f"{TAG_PREFIX}:{run_id}:"


@dataclass(frozen=True)
class Rule:
    """One DROP rule in a node's own namespace against one peer address."""

    chain: str  # INPUT (packets from the peer) or OUTPUT (packets to the peer)
    peer_ip: str
    originated_only: bool = False  # only connections this node originates (one-way)

    def args(self, tag: str) -> list[str]:
        """The `iptables` arguments that append this rule."""
        addr = ["-s" if self.chain == "INPUT" else "-d", f"{self.peer_ip}/32"]
        track = ["-m", "conntrack", "--ctdir", "ORIGINAL"] if self.originated_only else []
        return ["-A", self.chain, *addr, *track, "-m", "comment", "--comment", tag, "-j", "DROP"]


@dataclass(frozen=True)
class NodeRules:
    """Every rule one node gets, and the peers whose unreachability proves them."""

    node: str
    rules: tuple[Rule, ...]
    blocked_peers: tuple[str, ...]


def _cover(edges: set[frozenset[str]]) -> dict[str, list[str]]:
    """Greedy vertex cover: which node carries the rules of each symmetric edge."""
    owner: dict[str, list[str]] = {}
    left = set(edges)
    while left:
        degree: dict[str, int] = {}
        for edge in left:
            for n in edge:
                degree[n] = degree.get(n, 0) + 1
        best = min(degree, key=lambda n: (-degree[n], n))
        mine = {e for e in left if best in e}
        owner[best] = sorted(next(iter(e - {best})) for e in mine)
        left -= mine
    return owner


def plan_rules(cut: Cut, ips: Mapping[str, str]) -> list[NodeRules]:
    """The fewest nodes that need rules, and their rules, for `cut` given in-network `ips`."""
    per_node: dict[str, list[Rule]] = {}
    blocked: dict[str, list[str]] = {}

    def add(node: str, rule: Rule, peer: str) -> None:
        per_node.setdefault(node, []).append(rule)
        if peer not in blocked.setdefault(node, []):
            blocked[node].append(peer)

    if cut.one_way:
        for a, b in sorted(cut.blocked):
            add(a, Rule("OUTPUT", ips[b], originated_only=True), b)
        return _collect(per_node, blocked)
    symmetric = {frozenset(p) for p in cut.blocked if (p[1], p[0]) in cut.blocked}
    for node, peers in _cover(symmetric).items():
        for peer in peers:
            add(node, Rule("INPUT", ips[peer]), peer)
            add(node, Rule("OUTPUT", ips[peer]), peer)
    for a, b in sorted(cut.blocked):
        if frozenset((a, b)) not in symmetric:
            add(b, Rule("INPUT", ips[a]), a)  # b drops whatever a sends
    return _collect(per_node, blocked)


def _collect(per_node: dict[str, list[Rule]], blocked: dict[str, list[str]]) -> list[NodeRules]:
    return [NodeRules(n, tuple(per_node[n]), tuple(sorted(blocked[n]))) for n in sorted(per_node)]
