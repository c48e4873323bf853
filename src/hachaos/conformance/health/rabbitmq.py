"""RabbitMQ: every member running, the quorum queue with all its members online, and no node
quorum-critical (stopping it would leave a quorum queue without a majority)."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

from hachaos.conformance.check import CLUSTER, Check, cannot_run
from hachaos.conformance.fields import select
from hachaos.conformance.health_spec import RabbitMQ
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec

CTL_TIMEOUT_S = 30.0


def _run(node: str, argv: list[str], target: Target) -> Ran:
    try:
        return target.shell(node).run(argv, timeout_s=CTL_TIMEOUT_S)
    except NoConnection as exc:
        return Ran(-1, "", str(exc))


def ask_json(nodes: list[str], argv: list[str], target: Target) -> Any | Outcome:
    """The JSON a `--formatter json` command prints on the first node that answers."""
    failures: list[tuple[str, Ran]] = []
    for node in nodes:
        ran = _run(node, argv, target)
        if ran.ok:
            try:
                return json.loads(ran.stdout)
            except json.JSONDecodeError:
                failures.append((node, Ran(1, "", f"not JSON: {ran.stdout[:80]}")))
                continue
        failures.append((node, ran))
    if not failures:
        return Outcome.failed("no RabbitMQ node declared", "declare the broker's nodes")
    node, ran = failures[-1]
    seen = cannot_run(node, " ".join(argv[:2]), ran)
    others = ", ".join(n for n, _ in failures[:-1])
    return Outcome.failed(
        seen.observed + (f" (also failed on {others})" if others else ""), seen.fix
    )


def member_name(target: Target, node: str) -> str:
    """`rabbit@<hostname>`, RabbitMQ's default node name."""
    return f"rabbit@{target.hostname(node)}"


def members_running(nodes: list[str], spec: RabbitMQ, target: Target) -> Outcome:
    """`cluster_status` lists every declared node as running."""
    status = ask_json(nodes, ["rabbitmqctl", "-q", "cluster_status", "--formatter", "json"], target)
    if isinstance(status, Outcome):
        return status
    running = set(status.get("running_nodes", [])) if isinstance(status, dict) else set()
    missing = [n for n in nodes if member_name(target, n) not in running]
    if not missing:
        return Outcome.passed(f"all {len(nodes)} members running: {', '.join(sorted(running))}")
    return Outcome.failed(
        f"members not running: {', '.join(missing)} (running: {', '.join(sorted(running))})",
        f"start RabbitMQ on {', '.join(missing)} and let it rejoin the cluster "
        "(rabbitmqctl start_app; check the Erlang cookie and ports 4369/25672)",
    )


def _queue(nodes: list[str], spec: RabbitMQ, target: Target) -> dict[str, Any] | Outcome:
    """The queue's `list_queues` row; an outcome when it cannot be read or does not exist."""
    argv = [
        "rabbitmqctl",
        "-q",
        "list_queues",
        "-p",
        spec.vhost,
        "name",
        "type",
        "members",
        "online",
        "leader",
        "--formatter",
        "json",
    ]
    queues = ask_json(nodes, argv, target)
    if isinstance(queues, Outcome):
        return queues
    found = [q for q in queues if isinstance(q, dict) and q.get("name") == spec.queue]
    if found:
        return dict(found[0])
    if not spec.queue_required:
        return Outcome.skipped(f"queue {spec.queue!r} is not declared yet (clients declare it)")
    return Outcome.failed(
        f"quorum queue {spec.queue!r} does not exist in vhost {spec.vhost!r}",
        "declare it (durable, x-queue-type: quorum) while every node is up, so each is a member",
    )


def queue_online(nodes: list[str], spec: RabbitMQ, target: Target) -> Outcome:
    """The quorum queue exists, with a leader and every member online."""
    queue = _queue(nodes, spec, target)
    if isinstance(queue, Outcome):
        return queue
    if queue.get("type") != "quorum":
        return Outcome.failed(
            f"queue {spec.queue!r} is {queue.get('type')}, not a quorum queue",
            "delete and declare it again with x-queue-type: quorum",
        )
    members, online = list(queue.get("members", [])), set(queue.get("online", []))
    offline = [m for m in members if m not in online]
    seen = f"{spec.queue}: members {', '.join(members)}; offline: {', '.join(offline) or 'none'}"
    if len(members) < len(nodes):
        return Outcome.failed(
            f"{seen}; only {len(members)} of {len(nodes)} nodes are members",
            "add the missing nodes: rabbitmq-queues grow <node> all (or "
            f"rabbitmq-queues add_member {spec.queue} <node>)",
        )
    if offline or not queue.get("leader"):
        return Outcome.failed(
            seen + ("" if queue.get("leader") else "; no leader"),
            "start the offline members' nodes; a queue without a majority online takes no writes",
        )
    return Outcome.passed(f"{spec.queue}: {len(members)} members online, leader {queue['leader']}")


def not_critical(node: str, spec: RabbitMQ, target: Target) -> Outcome:
    """`rabbitmq-diagnostics check_if_node_is_quorum_critical` passes on `node`."""
    ran = _run(node, ["rabbitmq-diagnostics", "-q", "check_if_node_is_quorum_critical"], target)
    if ran.ok:
        return Outcome.passed(f"{node} is not quorum-critical")
    if ran.rc in (-1, 126, 127, 137) or "not running" in ran.why():
        return cannot_run(node, "rabbitmq-diagnostics check_if_node_is_quorum_critical", ran)
    return Outcome.failed(
        f"{node} is quorum-critical: {ran.why(300)}",
        "bring the other members of its quorum queues online before stopping or upgrading "
        f"{node}: with it gone a queue would lose its majority",
    )


def plan_rabbitmq(spec: RabbitMQ, stack: StackSpec) -> list[Check]:
    """Members running and (with a queue) the quorum queue, once; not-critical per node."""
    nodes = select(spec.role, stack)
    if not nodes:
        return []
    checks = [
        Check(
            "replication",
            spec.role,
            CLUSTER,
            "rabbitmq-members",
            "every member running",
            partial(members_running, nodes, spec),
        )
    ]
    if spec.queue is not None:
        checks.append(
            Check(
                "replication",
                spec.role,
                CLUSTER,
                "rabbitmq-quorum-queue",
                f"quorum queue {spec.queue} with all members online",
                partial(queue_online, nodes, spec),
            )
        )
    checks += [
        Check(
            "replication",
            spec.role,
            n,
            "rabbitmq-not-critical",
            f"{n} is not quorum-critical",
            partial(not_critical, n, spec),
        )
        for n in nodes
    ]
    return checks
