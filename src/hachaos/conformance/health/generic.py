"""Checks a profile defines as data: a quorum cluster of an allowed (odd) size, and a
product's own health command (e.g. a passive node reporting that it is in replication mode)."""

from __future__ import annotations

import re
from functools import partial

from hachaos.conformance.check import CLUSTER, Check, cannot_run
from hachaos.conformance.fields import select
from hachaos.conformance.health_spec import Command, QuorumSize
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec


def _run(node: str, argv: tuple[str, ...], target: Target) -> Ran:
    try:
        return target.shell(node).run(list(argv), timeout_s=30)
    except NoConnection as exc:
        return Ran(-1, "", str(exc))


def _sizes(spec: QuorumSize) -> str:
    return "/".join(map(str, spec.sizes))


def size_ok(nodes: list[str], spec: QuorumSize, target: Target) -> Outcome:
    """The role has an allowed number of nodes and, with `members`, the cluster reports as
    many members as there are nodes."""
    if len(nodes) not in spec.sizes:
        return Outcome.failed(
            f"{len(nodes)} {spec.role} nodes; a quorum cluster needs {_sizes(spec)}",
            f"run {_sizes(spec)} {spec.role} nodes: an even count tolerates no more failures "
            "than the odd count below it",
        )
    if spec.members is None:
        return Outcome.passed(f"{len(nodes)} {spec.role} nodes")
    pattern = re.compile(spec.members.count)
    ran = Ran(-1, "", "no node")
    for node in nodes:
        ran = _run(node, spec.members.run, target)
        if ran.ok:
            count = sum(1 for line in ran.stdout.splitlines() if pattern.search(line))
            if count == len(nodes):
                return Outcome.passed(f"{len(nodes)} {spec.role} nodes, {count} members")
            return Outcome.failed(
                f"{len(nodes)} {spec.role} nodes but the cluster reports {count} members "
                f"(asked {node})",
                "add the missing nodes to the cluster or remove stale members, so its size is "
                "the one planned",
            )
    return cannot_run(nodes[-1], " ".join(spec.members.run), ran)


def command_ok(node: str, spec: Command, target: Target) -> Outcome:
    """The command exits 0 on `node` and (with `expect`) prints a matching line."""
    ran = _run(node, spec.run, target)
    shown = " ".join(spec.run)
    if not ran.ok:
        if ran.rc in (-1, 126, 127, 137):
            return cannot_run(node, shown, ran)
        return Outcome.failed(f"{node}: `{shown}` failed ({ran.why()})", spec.fix)
    if spec.expect is not None and re.search(spec.expect, ran.stdout, re.MULTILINE) is None:
        tail = " ".join(ran.stdout.split())[-200:]
        return Outcome.failed(
            f"{node}: `{shown}` printed no line matching {spec.expect!r} (got: {tail})",
            spec.fix,
        )
    return Outcome.passed(f"{node}: `{shown}` ok")


def plan_quorum_size(spec: QuorumSize, stack: StackSpec) -> list[Check]:
    """One size check for the role."""
    nodes = select(spec.role, stack)
    return [
        Check(
            "replication",
            spec.role,
            CLUSTER,
            "quorum-size",
            f"{spec.role}: a quorum cluster of {_sizes(spec)} nodes",
            partial(size_ok, nodes, spec),
        )
    ]


def plan_command(spec: Command, stack: StackSpec) -> list[Check]:
    """The command on every node of its role."""
    return [
        Check(
            "replication",
            spec.role,
            n,
            spec.name,
            f"{n}: {' '.join(spec.run)}",
            partial(command_ok, n, spec),
        )
        for n in select(spec.role, stack)
    ]
