"""Fakes for conformance tests: nodes with a testinfra connection string, and shells that
answer commands from a script (a function of the command line), recording what they ran."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fakes import FakeNode

from hachaos.conformance.profile import Profile
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import Target
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec

Answer = Callable[[list[str]], Ran | None]


class ConnectableNode(FakeNode):
    """A node with a testinfra connection string `fake://NAME`."""

    def testinfra_host(self) -> str:
        return f"fake://{self.name}"


@dataclass
class FakeShell:
    """Answers each command with the first answer that knows it; exit 127 otherwise."""

    where: str
    answers: list[Answer] = field(default_factory=list)
    ran: list[list[str]] = field(default_factory=list)
    secret: list[list[str]] = field(default_factory=list)

    def run(self, argv: Sequence[str], timeout_s: float = 20.0) -> Ran:
        self.ran.append(list(argv))
        for answer in self.answers:
            got = answer(list(argv))
            if got is not None:
                return got
        return Ran(127, "", f"{argv[0]}: not found")

    def run_secret(self, argv: Sequence[str], timeout_s: float = 20.0) -> Ran:
        self.secret.append(list(argv))
        return self.run(argv, timeout_s)


def when(word: str, stdout: str, rc: int = 0, stderr: str = "") -> Answer:
    """An answer for every command line containing `word`."""
    return lambda argv: Ran(rc, stdout, stderr) if any(word in a for a in argv) else None


def stack_of(data: dict[str, Any]) -> StackSpec:
    """A stack spec from a dict (image defaulted)."""
    return StackSpec.model_validate({"image": "x", **data})


def target_of(
    spec: StackSpec, profile: dict[str, Any], shells: dict[str, list[Answer]]
) -> tuple[Target, dict[str, FakeShell]]:
    """A Target over fake nodes; `shells` answers per node name (or connection string)."""
    nodes = {n: ConnectableNode(n, s.role.value) for n, s in spec.nodes.items()}
    stack = RunningStack(spec, "hc-test", "fake", nodes, 0.0)
    made: dict[str, FakeShell] = {}

    def connect(where: str) -> FakeShell:
        key = where.removeprefix("fake://")
        made[key] = FakeShell(where, list(shells.get(key, [])))
        return made[key]

    return Target(stack, Profile.model_validate({"name": "p", **profile}), connect), made
