"""Booting nodes in dependency order: each node starts as soon as every node it needs is ready.

There are no waves: a node never waits for a node it does not need, so independent nodes and
independent included stacks boot side by side and the boot takes as long as its longest chain
of needs, not the sum of each wave's slowest node. A node is created once every node it needs
has started (its container then exists while they boot, off the critical path, without
competing with the first nodes' start), started once they are all ready, then awaited.

Backend work happens through a `NodeBooter`; the first failure aborts every other wait.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

from hachaos.boot_timeline import TimelineRecorder

H = TypeVar("H")


class NodeBooter(Protocol[H]):
    """What booting one node takes on a backend; `H` is its handle for the node."""

    def create(self, node: str) -> H:
        """Create the node, not started (raises an infrastructure error)."""
        ...

    def start(self, node: str, handle: H) -> None:
        """Start the created node (raises an infrastructure error)."""
        ...

    def await_ready(
        self, node: str, handle: H, timeout_s: float, abort: threading.Event
    ) -> str | None:
        """Wait until the node is ready (None), or say why it is not (it exited, `timeout_s`
        passed); None early once `abort` is set (another node failed)."""
        ...


@dataclass
class BootResult(Generic[H]):
    """The handles of every node created, and why each failed node did not get ready."""

    handles: dict[str, H] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)


class _Gate:
    """Which nodes are started and ready; waits until a set of them is, or the boot aborts."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._started: set[str] = set()
        self._ready: set[str] = set()
        self.abort = threading.Event()

    def mark(self, node: str, *, ready: bool) -> None:
        with self._cond:
            (self._ready if ready else self._started).add(node)
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self.abort.set()
            self._cond.notify_all()

    def wait(self, nodes: tuple[str, ...], *, ready: bool, timeout_s: float) -> bool:
        """True once all of `nodes` are started (or ready); False on abort or timeout."""
        pool = self._ready if ready else self._started
        with self._cond:
            self._cond.wait_for(
                lambda: self.abort.is_set() or pool.issuperset(nodes), timeout=max(0.0, timeout_s)
            )
            return not self.abort.is_set() and pool.issuperset(nodes)

    def missing(self, nodes: tuple[str, ...]) -> list[str]:
        with self._cond:
            return [n for n in nodes if n not in self._ready]


@dataclass
class _Boot(Generic[H]):
    """One boot in progress: a thread per node runs `node`."""

    needs: Mapping[str, tuple[str, ...]]
    booter: NodeBooter[H]
    timeout_s: float
    timeline: TimelineRecorder
    on_ready: Callable[[str], None]
    gate: _Gate = field(default_factory=_Gate)
    result: BootResult[H] = field(default_factory=BootResult)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.deadline_ns = self.timeline.clock.now_ns() + int(self.timeout_s * 1e9)

    def remaining(self) -> float:
        return (self.deadline_ns - self.timeline.clock.now_ns()) / 1e9

    def fail(self, node: str, why: str) -> None:
        with self.lock:
            self.result.failures[node] = why
        self.gate.stop()

    def node(self, node: str) -> None:
        """Create, start and await `node`, each step once its needs allow it."""
        try:
            handle = self._created(node)
            if handle is not None and self._may_start(node):
                self._start_and_await(node, handle)
        except BaseException:
            self.gate.stop()
            raise

    def _created(self, node: str) -> H | None:
        if not self.gate.wait(self.needs[node], ready=False, timeout_s=self.remaining()):
            return None  # another node failed (or one it needs never started: that one says why)
        handle = self.booter.create(node)
        with self.lock:
            self.result.handles[node] = handle
        self.timeline.created(node)
        return handle

    def _may_start(self, node: str) -> bool:
        wanted = self.needs[node]
        if self.gate.wait(wanted, ready=True, timeout_s=self.remaining()):
            return True
        if not self.gate.abort.is_set():
            late = ", ".join(self.gate.missing(wanted))
            self.fail(node, f"not started after {self.timeout_s:.1f}s: {late} not ready")
        return False

    def _start_and_await(self, node: str, handle: H) -> None:
        self.booter.start(node, handle)
        self.gate.mark(node, ready=False)
        self.timeline.started(node, self.needs[node])
        why = self.booter.await_ready(node, handle, max(0.1, self.remaining()), self.gate.abort)
        if why is not None:
            self.fail(node, why)
        elif not self.gate.abort.is_set():
            self.gate.mark(node, ready=True)
            self.timeline.ready(node)
            self.on_ready(node)


def boot_in_order(
    needs: Mapping[str, tuple[str, ...]],
    booter: NodeBooter[H],
    timeout_s: float,
    *,
    timeline: TimelineRecorder,
    on_ready: Callable[[str], None] = lambda _node: None,
) -> BootResult[H]:
    """Boot every node of `needs` (node -> the nodes it needs ready before it starts) within
    `timeout_s`. Node failures are returned; an infrastructure error (create, start) aborts
    the others and is raised once every node's thread has returned."""
    boot = _Boot(needs, booter, timeout_s, timeline, on_ready)
    pool = ThreadPoolExecutor(max_workers=max(1, len(needs)), thread_name_prefix="boot")
    try:
        futures = [pool.submit(boot.node, node) for node in needs]
        wait(futures)
    except BaseException:  # e.g. Ctrl-C: every node's thread returns at its next check
        boot.gate.stop()
        raise
    finally:
        pool.shutdown(wait=False)
    errors = [exc for f in futures if (exc := f.exception()) is not None]
    if errors:
        raise errors[0]
    return boot.result
