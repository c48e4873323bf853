"""Fake RabbitMQ nodes answering rabbitmqctl with canned output (no Docker)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

from fakes import FakeNode

from hachaos.node import ExecResult
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack

ROOT = Path(__file__).resolve().parents[3]
STACK = load_stack(ROOT / "fixtures" / "stacks" / "rabbitmq-cluster.yaml")
NAMES = ("rabbit-1", "rabbit-2", "rabbit-3")

Answer = Callable[[str, tuple[str, ...]], ExecResult]


def rabbit(name: str, answer: Answer, port: int | None = None) -> FakeNode:
    """A RabbitMQ node whose `exec` asks the shared `answer` (AMQP published on `port`)."""
    published = {5672: ("127.0.0.1", port)} if port else {}
    return FakeNode(name, "rabbit", published=published, answer=partial(answer, name))


def stack(answer: Answer, **ports: int) -> tuple[RunningStack, dict[str, FakeNode]]:
    """A RunningStack of the real rabbitmq-cluster spec over fake nodes."""
    nodes = {n: rabbit(n, answer, ports.get(n.replace("-", "_"))) for n in NAMES}
    return RunningStack(STACK, "hc-test", "fake", nodes, 0.0), nodes


def queues_json(leader: str | None, online: Sequence[str] = NAMES) -> str:
    """`list_queues name leader members online --formatter json` output for queue hachaos."""
    lead = f'"rabbit@{leader}"' if leader else '""'
    members = ",".join(f'"rabbit@{n}"' for n in NAMES)
    on = ",".join(f'"rabbit@{n}"' for n in online)
    return (
        '[\n{"name":"other","leader":"rabbit@rabbit-1","members":[],"online":[]}\n'
        f',{{"name":"hachaos","leader":{lead},"members":[{members}],"online":[{on}]}}\n]\n'
    )


def view(running: bool, sees: Sequence[str], partitions: Sequence[str] = ()) -> str:
    """The VIEW_EVAL answer of one node."""
    s = ",".join(f"'rabbit@{n}'" for n in sees)
    p = ",".join(f"'rabbit@{n}'" for n in partitions)
    return f"{{{str(running).lower()},[{s}],\n [{p}]}}\n"
