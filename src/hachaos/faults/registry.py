"""Builds a scenario's faults from its spec: one builder per `action`, registered by name."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from hachaos.clock import Clock
from hachaos.errors import HachaosError
from hachaos.faults.base import Fault
from hachaos.faults.node_faults import NODE_FAULTS
from hachaos.faults.targets import select_targets
from hachaos.history import History
from hachaos.running import RunningStack
from hachaos.spec.faults import FaultSpec, NodeFaultSpec
from hachaos.topology.base import RoleResolver


@dataclass(frozen=True)
class FaultContext:
    """What a fault builder may use: the stack, who holds which role now, the history, the rng."""

    stack: RunningStack
    resolver: RoleResolver
    history: History
    rng: random.Random
    clock: Clock


FaultBuilder = Callable[[FaultSpec, FaultContext], list[Fault]]


def _node_faults(spec: FaultSpec, ctx: FaultContext) -> list[Fault]:
    assert isinstance(spec, NodeFaultSpec)
    targets = select_targets(spec.target, ctx.stack, ctx.resolver, ctx.rng)
    cls = NODE_FAULTS[spec.action]
    return [cls(node, ctx.history, ctx.clock) for node in targets]


BUILDERS: dict[str, FaultBuilder] = {name: _node_faults for name in NODE_FAULTS}


def build_faults(spec: FaultSpec, ctx: FaultContext) -> list[Fault]:
    """The (not yet injected) faults `spec` describes, targets resolved now."""
    try:
        builder = BUILDERS[spec.action]
    except KeyError:
        raise HachaosError(f"no fault builder for action '{spec.action}'") from None
    return builder(spec, ctx)


def hold_s(spec: FaultSpec) -> float:
    """How long the fault must hold before it may be reverted (0: until recovery is seen)."""
    return float(getattr(spec, "duration_s", None) or 0.0)
