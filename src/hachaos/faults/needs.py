"""What a fault spec needs its stack's backend to be able to do (decided before boot)."""

from __future__ import annotations

from typing import assert_never

from hachaos.capabilities import Capability
from hachaos.spec.faults import FaultSpec, LinkFaultSpec, NodeFaultSpec, PartitionFaultSpec
from hachaos.spec.scenario import ScenarioSpec

NODE_ACTIONS: dict[str, Capability] = {
    "kill": Capability.KILL,
    "restart": Capability.KILL,
    "stop": Capability.STOP,
    "pause": Capability.PAUSE,
}


def fault_needs(spec: FaultSpec) -> frozenset[Capability]:
    """The capabilities injecting and reverting `spec` takes."""
    match spec:  # exhaustive: a new fault kind without its needs fails type checking
        case NodeFaultSpec():
            return frozenset({NODE_ACTIONS[spec.action]})
        case PartitionFaultSpec():
            disconnect = spec.method == "disconnect"
            return frozenset({Capability.DISCONNECT if disconnect else Capability.FIREWALL})
        case LinkFaultSpec():
            return frozenset({Capability.LINK})
        case _:
            assert_never(spec)


def scenario_needs(spec: ScenarioSpec) -> frozenset[Capability]:
    """Every capability the scenario's faults need (its `fault` and every inject step's)."""
    return frozenset().union(*(fault_needs(fault) for _, fault in spec.faults()))
