"""A live stack under conformance checks: its nodes reached through their testinfra
connection strings, the profile it is judged against, and what was already read from it.

What the checks read is cached per target (a conformance run is one snapshot): the facts of
every node are read in parallel up front, so a stack's checks cost about one command each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar, cast

from hachaos.conformance.facts import NodeFacts, facts_argv, parse_facts
from hachaos.conformance.fields import select
from hachaos.conformance.profile import Profile
from hachaos.conformance.shell import Ran, Remote, TestinfraShell
from hachaos.errors import HachaosError
from hachaos.node import TestinfraTarget
from hachaos.running import RunningStack
from hachaos.spec.models import Role

T = TypeVar("T")
FACTS_TIMEOUT_S = 15.0
PARALLEL = 8


class NoConnection(HachaosError):
    """A node whose backend gives no testinfra connection string (no TestinfraTarget)."""


class Target:
    """One running stack and its profile; shells and readings cached."""

    def __init__(
        self,
        stack: RunningStack,
        profile: Profile,
        connect: Callable[[str], Remote] = TestinfraShell,
    ) -> None:
        self.stack = stack
        self.profile = profile
        self._connect = connect
        self._remotes: dict[str, Remote] = {}
        self._memo: dict[tuple[str, ...], object] = {}
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        """The stack's name."""
        return self.stack.spec.name

    def connection_of(self, node: str) -> str:
        """The node's testinfra connection string; NoConnection when its backend has none."""
        handle = self.stack.nodes.get(node)
        if handle is None:
            raise NoConnection(f"node {node} is not part of run {self.stack.run_id}")
        if not isinstance(handle, TestinfraTarget):
            raise NoConnection(
                f"node {node}'s backend ({self.stack.backend}) gives no testinfra connection "
                "(no TestinfraTarget)"
            )
        return handle.testinfra_host()

    def shell(self, node: str) -> Remote:
        """A shell on `node`, through its testinfra connection string."""
        return self.remote(self.connection_of(node))

    def remote(self, connection: str) -> Remote:
        """A shell on any machine by testinfra connection string (e.g. a backup host)."""
        with self._lock:
            if connection not in self._remotes:
                self._remotes[connection] = self._connect(connection)
            return self._remotes[connection]

    def nodes(self, *roles: Role) -> list[str]:
        """Nodes of the stack declared with one of `roles`, in spec order."""
        return [n for n, s in self.stack.spec.nodes.items() if s.role in roles]

    def selected(self, key: str) -> list[str]:
        """Nodes a role key (`ROLE` or `NS.ROLE`) names."""
        return select(key, self.stack.spec)

    def hostname(self, node: str) -> str:
        """The name other nodes reach `node` by."""
        return self.stack.nodes[node].address().hostname

    def memo(self, key: tuple[str, ...], read: Callable[[], T]) -> T:
        """`read()` once per key for this target (a snapshot of the running system)."""
        with self._lock:
            if key in self._memo:
                return cast(T, self._memo[key])
        value = read()
        with self._lock:
            return cast(T, self._memo.setdefault(key, value))

    def facts(self, node: str) -> NodeFacts | Ran:
        """The node's facts, or the failed command when they could not be read."""
        path = self.profile.hardware_for(node, self.stack.spec).disk_path
        return self.memo(("facts", node, path), lambda: self._read_facts(node, path))

    def _read_facts(self, node: str, path: str) -> NodeFacts | Ran:
        try:
            ran = self.shell(node).run(facts_argv(path), timeout_s=FACTS_TIMEOUT_S)
        except NoConnection as exc:
            return Ran(-1, "", str(exc))
        return parse_facts(ran.stdout, path) if ran.ok else ran

    def prefetch(self, nodes: Iterable[str] | None = None) -> None:
        """Read the facts of `nodes` (default: all) in parallel."""
        wanted = [n for n in (nodes or self.stack.spec.nodes) if n in self.stack.nodes]
        if not wanted:
            return
        with ThreadPoolExecutor(max_workers=min(PARALLEL, len(wanted))) as pool:
            list(pool.map(self.facts, wanted))
