"""The node handle faults touch, as small capability protocols (Jepsen-style).

A backend's node implements the capabilities it can; a fault needing one the target lacks is
skipped with the reason, instead of failing deep inside.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class ExecResult:
    """Exit code and combined output of a command run inside a node."""

    exit_code: int
    output: str

    @property
    def ok(self) -> bool:
        """True when the command exited 0."""
        return self.exit_code == 0


@dataclass(frozen=True)
class Address:
    """How to reach a node: inside the stack network, and from the runner (published ports)."""

    hostname: str
    ip: str | None
    published: dict[int, tuple[str, int]] = field(default_factory=dict)

    def host_port(self, container_port: int) -> tuple[str, int]:
        """The (host, port) the runner uses for `container_port`; KeyError if not published."""
        return self.published[container_port]


@runtime_checkable
class Node(Protocol):
    """A running member of a stack."""

    name: str
    role: str

    def address(self) -> Address:
        """Current addresses (a restarted container may get new published ports)."""
        ...

    def exec(self, cmd: Sequence[str], timeout_s: float = 30.0) -> ExecResult:
        """Run a command inside the node."""
        ...

    def logs(self, tail: int = 50) -> str:
        """The last `tail` lines of the node's output."""
        ...

    def is_running(self) -> bool:
        """True while the node's process runs (paused counts as running)."""
        ...


@runtime_checkable
class Killable(Protocol):
    """Can be killed with SIGKILL and started again."""

    def kill(self) -> None:
        """SIGKILL the node's main process."""
        ...

    def start(self) -> None:
        """Start a stopped or killed node."""
        ...


@runtime_checkable
class Stoppable(Protocol):
    """Can be stopped gracefully (SIGTERM, then SIGKILL after a deadline)."""

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop gracefully within `timeout_s`."""
        ...

    def start(self) -> None:
        """Start a stopped node."""
        ...


@runtime_checkable
class Pausable(Protocol):
    """Can be frozen (SIGSTOP-like, via cgroup freezer) and thawed."""

    def pause(self) -> None:
        """Freeze every process of the node."""
        ...

    def resume(self) -> None:
        """Thaw a paused node."""
        ...

    def is_paused(self) -> bool:
        """True while frozen."""
        ...


@dataclass(frozen=True)
class ImageFacts:
    """The image a node runs and the content hash hachaos labelled it with (None if unknown)."""

    ref: str
    content_hash: str | None


@runtime_checkable
class HasImage(Protocol):
    """Knows which image it runs (for the certification record)."""

    def image(self) -> ImageFacts:
        """The image reference and its content hash."""
        ...
