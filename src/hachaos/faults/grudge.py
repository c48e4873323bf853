"""Partition shapes in Jepsen's vocabulary, as pure functions of node names.

A `Cut` says which directed paths are severed: `(a, b)` in `blocked` means a packet from `a` never
reaches `b`. Symmetric modes (isolate, groups, bridge, majorities-ring) block both directions;
`one_way` blocks only connections that the cut-off side originates.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hachaos.errors import HachaosError


@dataclass(frozen=True)
class Cut:
    """The severed directed paths of one partition; `one_way` keeps replies flowing."""

    blocked: frozenset[tuple[str, str]]
    one_way: bool = False

    def peers_of(self, node: str) -> list[str]:
        """Nodes `node` can no longer reach, sorted."""
        return sorted(b for a, b in self.blocked if a == node)

    def nodes(self) -> list[str]:
        """Every node on either side of a severed path, sorted."""
        return sorted({n for pair in self.blocked for n in pair})

    def describe(self) -> str:
        """A short human description, e.g. `a -x- b, c` or `a -> x b`."""
        arrow = "-/->" if self.one_way else "-x-"
        return "; ".join(f"{a} {arrow} {', '.join(self.peers_of(a))}" for a in self._sources())

    def _sources(self) -> list[str]:
        srcs = sorted({a for a, _ in self.blocked})
        if self.one_way:
            return srcs
        # print each symmetric edge once: from the side with more peers
        seen: set[frozenset[str]] = set()
        out = []
        for a in sorted(srcs, key=lambda n: (-len(self.peers_of(n)), n)):
            fresh = {frozenset((a, b)) for b in self.peers_of(a)} - seen
            if fresh:
                out.append(a)
                seen |= {frozenset((a, b)) for b in self.peers_of(a)}
        return out


def _complete(groups: Sequence[Iterable[str]]) -> frozenset[tuple[str, str]]:
    sets = [frozenset(g) for g in groups]
    return frozenset(
        (a, b)
        for i, ga in enumerate(sets)
        for j, gb in enumerate(sets)
        if i != j
        for a in ga
        for b in gb
    )


def split(groups: Sequence[Iterable[str]]) -> Cut:
    """Nodes in different groups can't talk; nodes in no group are untouched."""
    sets = [sorted(set(g)) for g in groups]
    flat = [n for g in sets for n in g]
    if len(flat) != len(set(flat)):
        dup = sorted({n for n in flat if flat.count(n) > 1})[0]
        raise HachaosError(f"partition: node '{dup}' is in more than one group")
    if sum(1 for g in sets if g) < 2:
        raise HachaosError("partition: need at least two non-empty groups")
    return Cut(_complete(sets))


def isolate(targets: Iterable[str], universe: Iterable[str]) -> Cut:
    """`targets` together on one side, every other node of `universe` on the other."""
    side = set(targets)
    rest = sorted(set(universe) - side)
    if not side or not rest:
        raise HachaosError("partition: isolate needs at least one target and one other node")
    return split([sorted(side), rest])


def one_way(sources: Iterable[str], universe: Iterable[str]) -> Cut:
    """`sources` can't open connections to the others; the others still reach `sources`."""
    side = set(sources)
    rest = sorted(set(universe) - side)
    if not side or not rest:
        raise HachaosError("partition: one-way needs at least one target and one other node")
    return Cut(frozenset((a, b) for a in side for b in rest), one_way=True)


def bridge(universe: Sequence[str], rng: random.Random) -> Cut:
    """Two halves that share one bridge node (Jepsen's `bridge`), shuffled by `rng`."""
    nodes = sorted(universe)
    if len(nodes) < 3:
        raise HachaosError(f"partition: bridge needs at least 3 nodes, got {len(nodes)}")
    rng.shuffle(nodes)
    mid = len(nodes) // 2
    left, bridge_node, right = nodes[:mid], nodes[mid], nodes[mid + 1 :]
    cut = _complete([left, right])
    assert bridge_node not in {n for p in cut for n in p}
    return Cut(cut)


def majorities_ring(universe: Sequence[str], rng: random.Random) -> Cut:
    """Each node sees the majority centred on it in a shuffled ring (Jepsen's majorities-ring)."""
    nodes = sorted(universe)
    n = len(nodes)
    if n < 3:
        raise HachaosError(f"partition: majorities-ring needs at least 3 nodes, got {n}")
    rng.shuffle(nodes)
    m = n // 2 + 1
    blocked = set()
    for i in range(n):
        window = [nodes[(i + k) % n] for k in range(m)]
        me = window[m // 2]
        for other in set(nodes) - set(window):
            blocked.add((other, me))  # `me` drops everything from outside its window
    return Cut(frozenset(blocked))
