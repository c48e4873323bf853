"""References from a scenario into its stack: every node, role and link it names must exist.

Each check is a pure function of the (separately validated) scenario part and the stack and
returns `Finding`s: the key path in the scenario file and the message. The loader places them
on their lines. Sections are validated on their own, so a broken probe does not hide a bad
fault reference.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from pydantic import TypeAdapter, ValidationError

from hachaos.spec.faults import FaultSpec, LinkFaultSpec, PartitionFaultSpec, TargetSpec
from hachaos.spec.models import Role, StackSpec
from hachaos.spec.probes import ProbeSpec
from hachaos.spec.workloads import WorkloadSpec


class Finding(NamedTuple):
    """One broken reference: where it is in the scenario file, and what is wrong."""

    loc: tuple[str | int, ...]
    message: str


def alone(schema: Any, data: Any) -> Any:
    """`data` validated against `schema` on its own, or None when it is invalid anyway."""
    try:
        return TypeAdapter(schema).validate_python(data)
    except ValidationError:
        return None


def declared_roles(stack: StackSpec) -> set[Role]:
    """Roles declared on the stack's nodes."""
    return {n.role for n in stack.nodes.values()}


def known_roles(stack: StackSpec) -> set[Role]:
    """Declared roles plus those the topology finds at run time (e.g. a queue's leader)."""
    derived = getattr(stack.topology, "derived_roles", None)
    return declared_roles(stack) | (derived() if derived is not None else frozenset())


def holders(stack: StackSpec, role: Role) -> int:
    """How many nodes hold `role`: as declared, else one for a run-time primary / master,
    else unknown (0 is never returned for a role only the topology knows)."""
    declared = len(stack.nodes_with_role(role))
    if declared:
        return declared
    return 1 if role in (Role.PRIMARY, Role.MASTER) else -1


def _unknown_node(stack: StackSpec, node: str) -> str:
    return f"unknown node '{node}' in stack '{stack.name}' (nodes: {', '.join(stack.nodes)})"


def _roles_text(roles: set[Role]) -> str:
    return ", ".join(sorted(r.value for r in roles))


def target_findings(
    target: TargetSpec, stack: StackSpec, loc: tuple[str | int, ...]
) -> Iterator[Finding]:
    """The target's node or role exists, and its `pick` selects at least one node."""
    if target.node is not None and target.node not in stack.nodes:
        yield Finding((*loc, "node"), _unknown_node(stack, target.node))
        return
    if target.role is not None and target.role not in known_roles(stack):
        roles = _roles_text(known_roles(stack))
        yield Finding(
            (*loc, "role"),
            f"no node has role '{target.role.value}' in stack '{stack.name}' (roles: {roles})",
        )
        return
    n = 1 if target.node is not None else holders(stack, target.role or Role.PRIMARY)
    if n >= 0 and target.pick.selects(n) == 0:
        yield Finding(
            (*loc, "pick"),
            f"pick '{target.pick.value}' of {n} node(s) selects no node: use 'one' or 'all'",
        )


def partition_findings(fault: PartitionFaultSpec, stack: StackSpec) -> Iterator[Finding]:
    """`among` names declared roles, `groups` name nodes of the stack."""
    roles = declared_roles(stack)
    for i, role in enumerate(fault.among):
        if role not in roles:
            yield Finding(
                ("fault", "among", i),
                f"no node is declared with role '{role.value}' in stack '{stack.name}' "
                f"(roles: {_roles_text(roles)})",
            )
    for i, group in enumerate(fault.groups):
        for j, node in enumerate(group):
            if node not in stack.nodes:
                yield Finding(("fault", "groups", i, j), _unknown_node(stack, node))


def fault_findings(data: Any, stack: StackSpec) -> Iterator[Finding]:
    """References of the `fault` section."""
    fault = alone(FaultSpec, data)
    target = getattr(fault, "target", None)
    if target is not None:
        yield from target_findings(target, stack, ("fault", "target"))
    if isinstance(fault, PartitionFaultSpec):
        yield from partition_findings(fault, stack)
    if isinstance(fault, LinkFaultSpec) and fault.link not in stack.links:
        known = ", ".join(stack.links) or "none"
        yield Finding(
            ("fault", "link"),
            f"unknown link '{fault.link}' in stack '{stack.name}' (links: {known})",
        )


def node_ref_findings(
    spec: object, stack: StackSpec, loc: tuple[str | int, ...]
) -> Iterator[Finding]:
    """Every node a probe or workload names (its `target`, a TLS `ca`, ...) exists."""
    refs = getattr(spec, "node_refs", None)
    if refs is not None:
        named: dict[tuple[str, ...], str] = refs()
    else:
        target = getattr(spec, "target", None)
        named = {("target", "node"): target.node} if target is not None else {}
    for where, node in named.items():
        if node not in stack.nodes:
            yield Finding((*loc, *where), _unknown_node(stack, node))


def probe_findings(data: Any, stack: StackSpec) -> Iterator[Finding]:
    """The nodes the probe names exist."""
    yield from node_ref_findings(alone(ProbeSpec, data), stack, ("probe",))


def workload_findings(data: Any, stack: StackSpec) -> Iterator[Finding]:
    """The nodes the workload names exist."""
    yield from node_ref_findings(alone(WorkloadSpec, data), stack, ("workload",))


def scenario_findings(data: dict[str, Any], stack: StackSpec) -> list[Finding]:
    """Every broken reference from a scenario's raw data into `stack`."""
    return [
        *fault_findings(data.get("fault"), stack),
        *probe_findings(data.get("probe"), stack),
        *workload_findings(data.get("workload"), stack),
    ]
