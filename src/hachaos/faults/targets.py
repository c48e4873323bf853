"""Choosing fault targets at injection time, by role or quorum, from a recorded seed."""

from __future__ import annotations

import random

from hachaos.errors import HachaosError
from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.scenario import Pick, TargetSpec
from hachaos.topology.base import RoleResolver


def quorum_count(pick: Pick, n: int) -> int:
    """How many of `n` candidates `pick` selects."""
    return pick.selects(n)


def select_targets(
    target: TargetSpec, stack: RunningStack, resolver: RoleResolver, rng: random.Random
) -> list[Node]:
    """The nodes a fault hits now; an empty selection is an error naming the target."""
    if target.node is not None:
        candidates = [stack.node(target.node)]
    else:
        assert target.role is not None
        if target.stack is not None:
            from hachaos.topology import resolver_for

            resolver = resolver_for(stack.part(target.stack))
        candidates = resolver.holders(target.role)
    count = quorum_count(target.pick, len(candidates))
    if count == 0:
        what = target.node or f"role {target.role.value if target.role else '?'}"
        raise HachaosError(f"no node to target for {what} with pick={target.pick.value}")
    ordered = sorted(candidates, key=lambda n: n.name)
    return rng.sample(ordered, count)
