"""The node handle faults touch, as small capability protocols (Jepsen-style).

A backend's node implements the capabilities it can, and its backend declares them (see
`hachaos.capabilities`), so a scenario needing one the target lacks is skipped with the reason
before anything boots, instead of failing deep inside. Faults narrow a `Node` to a capability
with `isinstance` against these protocols; nothing probes for engine-specific attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from hachaos.firewall.request import RuleRequest, RuleResponse


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


@runtime_checkable
class TestinfraTarget(Protocol):
    """Can be reached by pytest-testinfra: conformance checks run on any backend's nodes
    through this connection string (Docker: `docker://<container>`; a host: `ssh://...`)."""

    def testinfra_host(self) -> str:
        """A testinfra connection string for this node, e.g. `docker://3f2a...`."""
        ...


@dataclass(frozen=True)
class RuntimeFacts:
    """The container runtime a node runs in: engine, its version and storage driver, the
    node's published ports (container port -> host address and port), and `direct_reach` when
    the runner reaches the node at its own address, so that only the ports its stack pins are
    published (the run's choice, not the deployment's): how to have every port published."""

    engine: str
    version: str
    storage_driver: str
    bindings: dict[int, tuple[str, int]] = field(default_factory=dict)
    direct_reach: str | None = None


@runtime_checkable
class ContainerRuntime(Protocol):
    """Runs in a container runtime its backend can describe (a node that is a container);
    conformance asks a node without it over its testinfra connection (`docker info`)."""

    def container_runtime(self) -> RuntimeFacts:
        """The runtime's facts as they are now."""
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


@dataclass(frozen=True)
class NodeRef:
    """How the backend that made a node reaches it again from another process (the reaper):
    written with every undo record before a fault, read back after the runner died."""

    backend: str  # the backend's registry name, e.g. "docker"
    node: str  # the node's name in its stack
    locator: str  # the backend's own address of it: a container id; a host's connection string


@runtime_checkable
class Reattachable(Protocol):
    """Can say how its backend reaches it again, so a reaper can undo a fault on it."""

    def ref(self) -> NodeRef:
        """This node's reference, for the journal."""
        ...


def ref_of(node: Node) -> NodeRef | None:
    """`node.ref()` when the node can tell (else None: its faults cannot be journalled)."""
    return node.ref() if isinstance(node, Reattachable) else None


@runtime_checkable
class Firewall(Protocol):
    """Can carry out tagged firewall rules in its own network namespace and probe peers from
    there (Docker: a helper container joined to the namespace; a host: over its connection)."""

    def apply_rules(self, request: RuleRequest) -> RuleResponse:
        """Remove, add and probe as `request` says; FaultError when it cannot run at all.
        A node that is not running answers with `skipped` set (it has no namespace now)."""
        ...


@dataclass(frozen=True)
class Attachment:
    """A node's place on its stack network: the network, the names it answers to, its IP."""

    network: str
    aliases: tuple[str, ...]
    ip: str | None = None


@runtime_checkable
class Disconnectable(Protocol):
    """Can be detached from the stack network and attached again under the same names."""

    def attachment(self) -> Attachment | None:
        """Where the node is attached now; None while detached (or when it is gone)."""
        ...

    def disconnect(self) -> None:
        """Detach from the stack network; FaultError when refused."""
        ...

    def reconnect(self, attachment: Attachment) -> bool:
        """Attach again with `attachment`'s names (and IP when possible); False when nothing was
        done (already attached, or the node or its network is gone)."""
        ...
