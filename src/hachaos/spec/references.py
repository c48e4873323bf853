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
from hachaos.spec.steps import CommandSpec
from hachaos.spec.workloads import BuildLedgerSpec, WorkloadSpec


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


def _scope(target: TargetSpec, stack: StackSpec, loc: tuple[str | int, ...]) -> StackSpec | Finding:
    """The stack a target is resolved in: the included part it names, else the composing
    stack's own nodes (for a role) or every node (for a node name)."""
    if target.stack is None:
        return stack if target.node is not None else stack.own()
    part = stack.parts.get(target.stack)
    if part is None:
        known = ", ".join(stack.parts) or "none"
        return Finding(
            (*loc, "stack"),
            f"stack '{stack.name}' includes no stack as '{target.stack}' (included: {known})",
        )
    return part


def _role_hint(stack: StackSpec, role: Role) -> str:
    holders = [ns for ns, part in stack.parts.items() if role in known_roles(part)]
    if not holders:
        return ""
    return f"; included stack '{holders[0]}' has it: add 'stack: {holders[0]}'"


def target_findings(
    target: TargetSpec, stack: StackSpec, loc: tuple[str | int, ...]
) -> Iterator[Finding]:
    """The target's included stack, node or role exists, and its `pick` selects a node."""
    scope = _scope(target, stack, loc)
    if isinstance(scope, Finding):
        yield scope
        return
    if target.node is not None and target.node not in scope.nodes:
        yield Finding((*loc, "node"), _unknown_node(scope, target.node))
        return
    if target.role is not None and target.role not in known_roles(scope):
        roles = _roles_text(known_roles(scope))
        hint = _role_hint(stack, target.role) if target.stack is None else ""
        yield Finding(
            (*loc, "role"),
            f"no node has role '{target.role.value}' in stack '{scope.name}' (roles: {roles})"
            + hint,
        )
        return
    n = 1 if target.node is not None else holders(scope, target.role or Role.PRIMARY)
    if n >= 0 and target.pick.selects(n) == 0:
        yield Finding(
            (*loc, "pick"),
            f"pick '{target.pick.value}' of {n} node(s) selects no node: use 'one' or 'all'",
        )


Loc = tuple[str | int, ...]


def partition_findings(
    fault: PartitionFaultSpec, stack: StackSpec, loc: Loc = ("fault",)
) -> Iterator[Finding]:
    """`among` names declared roles, `groups` name nodes of the stack."""
    roles = declared_roles(stack)
    for i, role in enumerate(fault.among):
        if role not in roles:
            yield Finding(
                (*loc, "among", i),
                f"no node is declared with role '{role.value}' in stack '{stack.name}' "
                f"(roles: {_roles_text(roles)})",
            )
    for i, group in enumerate(fault.groups):
        for j, node in enumerate(group):
            if node not in stack.nodes:
                yield Finding((*loc, "groups", i, j), _unknown_node(stack, node))


def fault_findings(data: Any, stack: StackSpec, loc: Loc = ("fault",)) -> Iterator[Finding]:
    """References of one fault (the `fault` section, or a step's `inject`)."""
    fault = alone(FaultSpec, data)
    target = getattr(fault, "target", None)
    if target is not None:
        yield from target_findings(target, stack, (*loc, "target"))
    if isinstance(fault, PartitionFaultSpec):
        yield from partition_findings(fault, stack, loc)
    if isinstance(fault, LinkFaultSpec):
        known = ", ".join(stack.links) or "none"
        for i, link in enumerate(fault.link_names()):
            if link not in stack.links:
                where: Loc = (*loc, "links", i) if fault.links else (*loc, "link")
                yield Finding(
                    where, f"unknown link '{link}' in stack '{stack.name}' (links: {known})"
                )


def node_ref_findings(spec: object, stack: StackSpec, loc: Loc) -> Iterator[Finding]:
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


def run_ca_findings(spec: object, stack: StackSpec, loc: Loc) -> Iterator[Finding]:
    """A client verifying against the run's CA (`tls: true` without `ca`, or `scheme: https`)
    needs a stack that declares `tls`."""
    run_ca = getattr(spec, "tls", False) is True and getattr(spec, "ca", None) is None
    https = getattr(spec, "scheme", None) == "https"
    if (run_ca or https) and stack.tls is None:
        key = "scheme" if https else "tls"
        yield Finding(
            (*loc, key),
            f"verifies against the run's CA, but stack '{stack.name}' declares no 'tls'"
            + ("" if https else " (give 'ca', or add tls: {nodes: [...]} to the stack)"),
        )


def probe_findings(data: Any, stack: StackSpec, loc: Loc = ("probe",)) -> Iterator[Finding]:
    """The nodes the probe names exist; the run's CA it trusts exists."""
    spec = alone(ProbeSpec, data)
    yield from node_ref_findings(spec, stack, loc)
    yield from run_ca_findings(spec, stack, loc)


def workload_findings(data: Any, stack: StackSpec) -> Iterator[Finding]:
    """The nodes the workload names exist; the run's CA it trusts exists."""
    spec = alone(WorkloadSpec, data)
    yield from node_ref_findings(spec, stack, ("workload",))
    yield from run_ca_findings(spec, stack, ("workload",))


def step_findings(data: Any, stack: StackSpec) -> Iterator[Finding]:
    """References of the `steps`: each inject's fault, each command's target."""
    if not isinstance(data, list):
        return
    for i, step in enumerate(data):
        if not isinstance(step, dict):
            continue
        if "inject" in step:
            yield from fault_findings(step["inject"], stack, ("steps", i, "inject"))
        command = alone(CommandSpec, _command_of(step))
        if command is not None:
            where = ("steps", i, "run") if "run" in step else ("steps", i, "wait", "run")
            yield from target_findings(command.target, stack, (*where, "target"))


def _command_of(step: dict[str, Any]) -> Any:
    """The raw command part of a `run` step or of a `wait` on a command, if any."""
    if "run" in step:
        run = step["run"]
        if not isinstance(run, dict):
            return None
        return {k: v for k, v in run.items() if k in CommandSpec.model_fields}
    wait = step.get("wait")
    return wait.get("run") if isinstance(wait, dict) else None


def build_ledger_findings(data: dict[str, Any], stack: StackSpec) -> Iterator[Finding]:
    """A build ledger reads the Postgres of an included Patroni stack, and judges the builds
    a `build` probe enqueued."""
    workload = alone(WorkloadSpec, data.get("workload"))
    if not isinstance(workload, BuildLedgerSpec):
        return
    part = stack.parts.get(workload.database)
    if part is None or part.topology.kind != "patroni":
        patroni = [ns for ns, p in stack.parts.items() if p.topology.kind == "patroni"]
        yield Finding(
            ("workload", "database"),
            f"'{workload.database}' is not an included Patroni stack of '{stack.name}' "
            f"(Patroni stacks included: {', '.join(patroni) or 'none'})",
        )
    probe = data.get("probe")
    if isinstance(probe, dict) and probe.get("type") != "build":
        yield Finding(("workload", "type"), "build-ledger judges the builds of a 'build' probe")


def scenario_findings(data: dict[str, Any], stack: StackSpec) -> list[Finding]:
    """Every broken reference from a scenario's raw data into `stack`."""
    probes = data.get("probes")
    extra = probes.items() if isinstance(probes, dict) else ()
    return [
        *fault_findings(data.get("fault"), stack),
        *probe_findings(data.get("probe"), stack),
        *workload_findings(data.get("workload"), stack),
        *build_ledger_findings(data, stack),
        *(f for name, p in extra for f in probe_findings(p, stack, ("probes", name))),
        *step_findings(data.get("steps"), stack),
    ]
