"""The one fake stack node unit tests use: `FakeNode` implements only the `Node` protocol;
the optional capabilities (`hachaos.node`) come as mixins, so a test states what its node can
do by the classes it combines (`class KillableNode(Kills, FakeNode)`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from hachaos.node import Address, ExecResult

Answer = Callable[[tuple[str, ...]], ExecResult]


def replies(output: str = "", exit_code: int = 0) -> Answer:
    """An `answer` giving every command the same result."""
    return lambda cmd: ExecResult(exit_code, output)


@dataclass
class FakeNode:
    """A stack member: `exec` records each command (`calls`) and its timeout (`timeouts`)
    and answers with `answer` (default: exit 0, no output); `logs` is `log`; `running` is
    what `is_running` says; `published` maps container ports to (host, port)."""

    name: str
    role: str = "app"
    ip: str | None = None
    published: dict[int, tuple[str, int]] = field(default_factory=dict)
    running: bool = True
    log: str = ""
    answer: Answer = field(default_factory=replies)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    timeouts: list[float] = field(default_factory=list)

    def address(self) -> Address:
        """The node's name, `ip` and `published` ports."""
        return Address(self.name, self.ip, dict(self.published))

    def exec(self, cmd: Sequence[str], timeout_s: float = 30.0) -> ExecResult:
        """Record the command, then `answer` it."""
        self.calls.append(tuple(cmd))
        self.timeouts.append(timeout_s)
        return self.answer(tuple(cmd))

    def logs(self, tail: int = 50) -> str:
        """`log`, whatever `tail` asks."""
        return self.log

    def is_running(self) -> bool:
        """`running`."""
        return self.running


class Kills:
    """The `Killable` capability: kill stops the node, start runs it again."""

    running: bool

    def kill(self) -> None:
        """SIGKILL, as far as the fake goes."""
        self.running = False

    def start(self) -> None:
        """Running again."""
        self.running = True


class Pauses:
    """The `Pausable` capability: `paused` flips."""

    paused: bool = False

    def pause(self) -> None:
        """Frozen."""
        self.paused = True

    def resume(self) -> None:
        """Thawed."""
        self.paused = False

    def is_paused(self) -> bool:
        """`paused`."""
        return self.paused
