"""Builders for partitions: firewall rules (the default) or network disconnect, on any backend
whose nodes have the capability."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hachaos.errors import HachaosError
from hachaos.faults import grudge
from hachaos.faults.base import Fault
from hachaos.faults.disconnect import DisconnectFault
from hachaos.faults.grudge import Cut
from hachaos.faults.partition import PartitionFault
from hachaos.faults.targets import select_targets
from hachaos.running import RunningStack
from hachaos.spec.faults import PartitionFaultSpec, PartitionMode

if TYPE_CHECKING:
    from hachaos.faults.registry import FaultContext


def universe(spec: PartitionFaultSpec, stack: RunningStack) -> list[str]:
    """The nodes a partition considers: those with a role in `among`, or every node."""
    if not spec.among:
        return sorted(stack.nodes)
    return sorted(n for n, s in stack.spec.nodes.items() if s.role in spec.among)


def make_cut(spec: PartitionFaultSpec, ctx: FaultContext) -> tuple[Cut, str]:
    """The partition `spec` asks for now (targets resolved, rng drawn), and a short label."""
    nodes = universe(spec, ctx.stack)
    mode = spec.mode
    if mode in (PartitionMode.ISOLATE, PartitionMode.ONE_WAY):
        assert spec.target is not None
        chosen = sorted(
            n.name for n in select_targets(spec.target, ctx.stack, ctx.resolver, ctx.rng)
        )
        fn = grudge.isolate if mode is PartitionMode.ISOLATE else grudge.one_way
        return fn(chosen, nodes), ",".join(chosen)
    if mode is PartitionMode.GROUPS:
        unknown = sorted({n for g in spec.groups for n in g} - set(ctx.stack.nodes))
        if unknown:
            raise HachaosError(f"partition: group names unknown node '{unknown[0]}'")
        cut = grudge.split(spec.groups)
        return cut, " | ".join(",".join(g) for g in spec.groups)
    fn2 = grudge.bridge if mode is PartitionMode.BRIDGE else grudge.majorities_ring
    cut = fn2(nodes, ctx.rng)
    return cut, f"{mode.value}: {cut.describe()}"


def probe_ports(stack: RunningStack) -> dict[str, int]:
    """Per node, a port to probe reachability with (its first declared port, else 1:
    a refused connection proves reachability as well as an accepted one)."""
    return {
        name: (spec.port_specs()[0].container if spec.ports else 1)
        for name, spec in stack.spec.nodes.items()
    }


def partition_faults(spec: object, ctx: FaultContext) -> list[Fault]:
    """One PartitionFault, or one DisconnectFault per target with `method: disconnect`."""
    assert isinstance(spec, PartitionFaultSpec)
    if spec.method == "disconnect":
        assert spec.target is not None
        targets = select_targets(spec.target, ctx.stack, ctx.resolver, ctx.rng)
        return [DisconnectFault(n, ctx.history, ctx.clock) for n in targets]
    cut, label = make_cut(spec, ctx)
    fault = PartitionFault(
        cut,
        ctx.stack.nodes,
        ctx.stack.run_id,
        label=label,
        probe_ports=probe_ports(ctx.stack),
        history=ctx.history,
        clock=ctx.clock,
    )
    return [fault]
