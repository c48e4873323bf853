"""What `rabbitmqctl` answers, parsed: node names, quorum queues, running nodes."""

from __future__ import annotations

import json
from dataclasses import dataclass


def node_name(erlang_node: str) -> str:
    """`rabbit@rabbit-2` -> `rabbit-2` (the host part is the stack node's hostname)."""
    return erlang_node.partition("@")[2] or erlang_node


@dataclass(frozen=True)
class QueueView:
    """One quorum queue as a running node reports it."""

    name: str
    leader: str | None
    members: tuple[str, ...]
    online: tuple[str, ...]


def parse_queues(output: str) -> list[QueueView]:
    """Parse `rabbitmqctl list_queues name leader members online --formatter json`."""
    rows = json.loads(output or "[]")
    return [
        QueueView(
            name=str(r["name"]),
            leader=node_name(r["leader"]) if r.get("leader") else None,
            members=tuple(node_name(m) for m in r.get("members") or ()),
            online=tuple(node_name(m) for m in r.get("online") or ()),
        )
        for r in rows
    ]


def parse_running(output: str) -> tuple[str, ...]:
    """Running node names from `rabbitmqctl cluster_status --formatter json`."""
    status = json.loads(output)
    return tuple(sorted(node_name(n) for n in status.get("running_nodes") or ()))
