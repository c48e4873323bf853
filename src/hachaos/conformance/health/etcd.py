"""etcd: every member answers healthy on its own endpoint, and the member list shows every
declared node as a started member."""

from __future__ import annotations

import json
from functools import partial

from hachaos.conformance.check import CLUSTER, Check, cannot_run
from hachaos.conformance.fields import select
from hachaos.conformance.health_spec import Etcd
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec


def _run(node: str, argv: list[str], target: Target) -> Ran:
    try:
        return target.shell(node).run(argv, timeout_s=15)
    except NoConnection as exc:
        return Ran(-1, "", str(exc))


def healthy(node: str, spec: Etcd, target: Target) -> Outcome:
    """`etcdctl endpoint health` on the member's own endpoint."""
    ran = _run(node, [*spec.etcdctl, "--command-timeout=3s", "endpoint", "health"], target)
    text = " ".join((ran.stdout + ran.stderr).split())
    if ran.ok and "is healthy" in text:
        return Outcome.passed(f"{node}: {text}")
    if ran.rc in (-1, 126, 127, 137) or "not running" in ran.why():
        return cannot_run(node, "etcdctl endpoint health", ran)
    return Outcome.failed(
        f"{node}: etcd is not healthy ({ran.why()})",
        f"check {node}'s etcd (is it running, does it see a majority of its peers on 2380?)",
    )


def members(text: str) -> tuple[list[str], int] | None:
    """(names of started members, count of all members) from `etcdctl member list -w json`
    (a member that never started has no name yet); None when it is not such output."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        return None
    listed = doc.get("members") if isinstance(doc, dict) else None
    if not isinstance(listed, list):
        return None
    started = [str(m["name"]) for m in listed if isinstance(m, dict) and m.get("name")]
    return started, len(listed)


def members_started(nodes: list[str], spec: Etcd, target: Target) -> Outcome:
    """The member list (asked of the first node that answers) has one started member per
    declared node and no member that never started."""
    last = Ran(-1, "", "no etcd node declared")
    for node in nodes:
        last = _run(node, [*spec.etcdctl, "member", "list", "-w", "json"], target)
        found = members(last.stdout) if last.ok else None
        if found is None:
            continue
        started, total = found
        if len(started) == len(nodes) == total:
            return Outcome.passed(f"{total} members started: {', '.join(started)}")
        return Outcome.failed(
            f"{len(nodes)} etcd nodes; the cluster lists {total} members, {len(started)} "
            f"started ({', '.join(started) or 'none'})",
            "start the missing members, or remove stale ones (etcdctl member remove), so the "
            "cluster is the size planned and keeps its majority",
        )
    return cannot_run(nodes[-1] if nodes else "etcd", "etcdctl member list", last)


def plan_etcd(spec: Etcd, stack: StackSpec) -> list[Check]:
    """The member list once; health per member."""
    nodes = select(spec.role, stack)
    if not nodes:
        return []
    return [
        Check(
            "replication",
            spec.role,
            CLUSTER,
            "etcd-members",
            "every etcd member started",
            partial(members_started, nodes, spec),
        ),
        *(
            Check(
                "replication",
                spec.role,
                n,
                "etcd-health",
                f"{n}: etcd endpoint healthy",
                partial(healthy, n, spec),
            )
            for n in nodes
        ),
    ]
