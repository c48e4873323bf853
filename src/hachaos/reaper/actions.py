"""Replaying undo records without the runner: a node record through the backend that made the
node (found by the name its `NodeRef` carries), a link record against Toxiproxy."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, assert_never

from hachaos.backends import get_backend
from hachaos.errors import FaultError
from hachaos.firewall.parallel import apply_all
from hachaos.firewall.request import RuleRequest
from hachaos.node import Disconnectable, Firewall, Killable, Node, NodeRef, Pausable, Stoppable
from hachaos.reaper.links import enable_proxy, remove_toxic
from hachaos.reaper.undo import (
    DeleteRules,
    EnableProxy,
    Reconnect,
    RemoveToxic,
    Resume,
    StartNode,
    Undo,
)

if TYPE_CHECKING:
    from hachaos.backends.base import Backend


def label(ref: NodeRef) -> str:
    """`redis-1 (3f9a1c2b7d0e)`: the node and the start of its locator."""
    return f"{ref.node} ({ref.locator[:12]})"


def registered(name: str) -> Backend:
    """The backend registered as `name` (looked up when called)."""
    return get_backend(name)


def _cannot(ref: NodeRef, what: str) -> FaultError:
    return FaultError(f"backend {ref.backend} cannot {what} {ref.node}")


@dataclass
class Undoer:
    """Executes undo records; `teardown` skips what removing the run's nodes makes moot."""

    run_id: str
    teardown: bool = True
    backend_factory: Callable[[str], Backend] = registered
    _backends: dict[str, Backend] = field(default_factory=dict, init=False, repr=False)

    def backend(self, name: str) -> Backend:
        """The backend registered as `name` (one instance per Undoer)."""
        if name not in self._backends:
            self._backends[name] = self.backend_factory(name)
        return self._backends[name]

    def node(self, ref: NodeRef) -> Node | None:
        """The node `ref` names, through its backend; None when it no longer exists."""
        return self.backend(ref.backend).reattach(ref, self.run_id)

    def undo(self, undo: Undo) -> str:
        """Apply one record; returns what was done. Raises when it could not be undone."""
        match undo:  # exhaustive: a new Undo kind without a handler fails type checking
            case Resume():
                return self._resume(undo)
            case StartNode():
                return self._start(undo)
            case DeleteRules():
                return self._rules(undo)
            case Reconnect():
                return self._reconnect(undo)
            case RemoveToxic():
                return remove_toxic(undo)
            case EnableProxy():
                return enable_proxy(undo)
            case _:
                assert_never(undo)

    def _resume(self, undo: Resume) -> str:
        node = self.node(undo.node)
        if node is None:
            return f"{label(undo.node)} gone"
        if not isinstance(node, Pausable):
            raise _cannot(undo.node, "resume")
        if not node.is_paused():
            return f"{label(undo.node)} not paused"
        node.resume()
        return f"resumed {label(undo.node)}"

    def _start(self, undo: StartNode) -> str:
        if self.teardown and self.backend(undo.node.backend).removes_nodes:
            return f"{label(undo.node)} left for teardown"
        node = self.node(undo.node)
        if node is None or node.is_running():
            return f"{label(undo.node)} already running or gone"
        if not isinstance(node, Killable | Stoppable):
            raise _cannot(undo.node, "start")
        node.start()
        return f"started {label(undo.node)}"

    def _rules(self, undo: DeleteRules) -> str:
        walls: dict[NodeRef, Firewall] = {}
        for ref in undo.nodes:
            node = self.node(ref)
            if node is None:
                continue  # gone, and its namespace (and rules) with it
            if not isinstance(node, Firewall):
                raise _cannot(ref, "delete firewall rules on")
            walls[ref] = node
        results = apply_all(walls, {ref: RuleRequest(remove=undo.tag) for ref in walls})
        errors = [r.error for r in results.values() if r.error]
        if errors:
            raise FaultError(f"cannot delete rules {undo.tag}: {errors[0]}")
        removed = sum(r.removed for r in results.values())
        return f"deleted {removed} rule(s) tagged {undo.tag}"

    def _reconnect(self, undo: Reconnect) -> str:
        network = undo.attachment.network
        node = self.node(undo.node)
        if node is None:
            return f"{label(undo.node)} gone"
        if not isinstance(node, Disconnectable):
            raise _cannot(undo.node, "reconnect")
        done = node.reconnect(undo.attachment)
        return f"{'reconnected' if done else 'already on (or gone)'} {label(undo.node)} {network}"
