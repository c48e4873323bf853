"""What one scenario run shares between its phases and steps."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hachaos.clock import Clock
from hachaos.events import EventBus
from hachaos.faults.base import Fault
from hachaos.faults.registry import FaultContext, build_faults
from hachaos.faults.targets import select_targets
from hachaos.history import History
from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.faults import FaultSpec, TargetSpec
from hachaos.spec.scenario import ScenarioSpec
from hachaos.topology import resolver_for


@dataclass(frozen=True)
class RunContext:
    """The spec, the running stack, the history, the seeded rng, the bus and the clock."""

    spec: ScenarioSpec
    stack: RunningStack
    history: History
    rng: random.Random
    bus: EventBus
    clock: Clock

    def build_faults(self, fault: FaultSpec) -> list[Fault]:
        """The faults `fault` describes, their targets resolved now (journalled for the reaper
        once injected)."""
        ctx = FaultContext(self.stack, resolver_for(self.stack), self.history, self.rng, self.clock)
        return build_faults(fault, ctx)

    def targets(self, target: TargetSpec) -> list[Node]:
        """The nodes `target` picks now (roles resolved from the running system)."""
        return select_targets(target, self.stack, resolver_for(self.stack), self.rng)
