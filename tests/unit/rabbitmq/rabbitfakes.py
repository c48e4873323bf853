"""Fake RabbitMQ nodes answering rabbitmqctl with canned output (no Docker)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hachaos.node import Address, ExecResult
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack

ROOT = Path(__file__).resolve().parents[3]
STACK = load_stack(ROOT / "fixtures" / "stacks" / "rabbitmq-cluster.yaml")
NAMES = ("rabbit-1", "rabbit-2", "rabbit-3")

Answer = Callable[[str, tuple[str, ...]], ExecResult]


@dataclass
class FakeRabbit:
    """A node whose `exec` asks a shared answer function."""

    name: str
    answer: Answer
    running: bool = True
    port: int | None = None
    role: str = "rabbit"
    calls: list[tuple[str, ...]] = field(default_factory=list)

    def address(self) -> Address:
        published = {5672: ("127.0.0.1", self.port)} if self.port else {}
        return Address(self.name, None, published)

    def exec(self, cmd: Sequence[str], timeout_s: float = 30.0) -> ExecResult:
        self.calls.append(tuple(cmd))
        return self.answer(self.name, tuple(cmd))

    def logs(self, tail: int = 50) -> str:
        return ""

    def is_running(self) -> bool:
        return self.running


def stack(answer: Answer, **ports: int) -> tuple[RunningStack, dict[str, FakeRabbit]]:
    """A RunningStack of the real rabbitmq-cluster spec over fake nodes."""
    nodes = {n: FakeRabbit(n, answer, port=ports.get(n.replace("-", "_"))) for n in NAMES}
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
