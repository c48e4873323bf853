"""Builds a scenario's faults from its spec: one builder per `action`, registered by name."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hachaos.clock import Clock
from hachaos.errors import HachaosError
from hachaos.faults.base import Fault
from hachaos.faults.node_faults import NODE_FAULTS
from hachaos.faults.targets import select_targets
from hachaos.history import History
from hachaos.running import RunningStack
from hachaos.spec.faults import FaultSpec, NodeFaultSpec
from hachaos.topology.base import RoleResolver

if TYPE_CHECKING:
    from hachaos.reaper.journal import Journal


@dataclass(frozen=True)
class FaultContext:
    """What a fault builder may use: the stack, who holds which role now, the history, the rng."""

    stack: RunningStack
    resolver: RoleResolver
    history: History
    rng: random.Random
    clock: Clock
    journal: Journal | None = None  # None: the run's default journal (`Journal.for_run`)
    toxiproxy_url: str | None = None  # None: the stack's `proxy` node, else $HACHAOS_TOXIPROXY_URL


FaultBuilder = Callable[[FaultSpec, FaultContext], list[Fault]]


def _node_faults(spec: FaultSpec, ctx: FaultContext) -> list[Fault]:
    assert isinstance(spec, NodeFaultSpec)
    targets = select_targets(spec.target, ctx.stack, ctx.resolver, ctx.rng)
    cls = NODE_FAULTS[spec.action]
    return [cls(node, ctx.history, ctx.clock) for node in targets]


def _partition_faults(spec: FaultSpec, ctx: FaultContext) -> list[Fault]:
    from hachaos.faults.network_builders import partition_faults

    return partition_faults(spec, ctx)


def _link_faults(spec: FaultSpec, ctx: FaultContext) -> list[Fault]:
    from hachaos.faults.link import link_faults

    return link_faults(spec, ctx)


BUILDERS: dict[str, FaultBuilder] = {name: _node_faults for name in NODE_FAULTS}
BUILDERS["partition"] = _partition_faults
BUILDERS["link"] = _link_faults


def _journal_all(faults: list[Fault], ctx: FaultContext) -> list[Fault]:
    from hachaos.reaper.journal import Journal

    journal = ctx.journal or Journal.for_run(ctx.stack.run_id)
    for fault in faults:
        if fault.journal is None:
            fault.journal = journal
    return faults


def build_faults(spec: FaultSpec, ctx: FaultContext) -> list[Fault]:
    """The (not yet injected) faults `spec` describes, targets resolved now."""
    try:
        builder = BUILDERS[spec.action]
    except KeyError:
        raise HachaosError(f"no fault builder for action '{spec.action}'") from None
    return _journal_all(builder(spec, ctx), ctx)


def hold_s(spec: FaultSpec) -> float:
    """How long the fault must hold before it may be reverted (0: until recovery is seen)."""
    return float(spec.duration_s or 0.0)
