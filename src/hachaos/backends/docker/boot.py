"""The Docker side of a boot: what each node needs before it starts, and creating, starting
and awaiting one node's container (the proxy node is populated before it counts as ready)."""

from __future__ import annotations

import threading

import docker

from hachaos.backends.docker.links import populate
from hachaos.backends.docker.node import DockerNode
from hachaos.backends.docker.provision import create_node, start_node
from hachaos.backends.docker.reach import Reach
from hachaos.backends.docker.readiness import POLL_S, READY_PACE, CheckState, wait_node
from hachaos.clock import Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.proxy.client import ToxiproxyError, ToxiproxyUnavailable
from hachaos.running import RunningStack
from hachaos.spec.models import Role, StackSpec
from hachaos.tls.run_files import RunTls


def _ancestors(stack: StackSpec, node: str) -> set[str]:
    """Every node `node` depends on, directly or not."""
    seen: set[str] = set()
    todo = list(stack.nodes[node].depends_on)
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(stack.nodes[dep].depends_on)
    return seen


def boot_needs(stack: StackSpec) -> dict[str, tuple[str, ...]]:
    """Per node, the nodes that must be ready before it starts: its `depends_on`, and in a
    stack with links the proxy node (populated) for every node that depends on anything (a
    node that needs another may reach it through a link; a node with no dependency starts at
    once, beside the proxy, as it always did)."""
    needs = {name: tuple(spec.depends_on) for name, spec in stack.nodes.items()}
    proxies = stack.nodes_with_role(Role.PROXY) if stack.links else []
    for proxy in proxies:
        before_proxy = _ancestors(stack, proxy) | {proxy}
        for name, wanted in needs.items():
            if wanted and name not in before_proxy and proxy not in wanted:
                needs[name] = (*wanted, proxy)
    return needs


class DockerBooter:
    """Creates, starts and awaits the containers of one run (a `NodeBooter[DockerNode]`)."""

    def __init__(
        self,
        api: docker.APIClient,
        stack: StackSpec,
        run_id: str,
        network: str,
        *,
        reach: Reach,
        tls: RunTls | None,
        clock: Clock,
    ) -> None:
        self.api = api
        self.reach = reach
        self.stack = stack
        self.run_id = run_id
        self.network = network
        self.tls = tls
        self.clock = clock

    def create(self, node: str) -> DockerNode:
        """The node's container, with its files (and the run's TLS files), not started."""
        files = self.tls.files_for(node) if self.tls is not None else ()
        cid = create_node(
            self.api,
            self.stack,
            self.run_id,
            self.network,
            node,
            reach=self.reach,
            host_files=files,
        )
        role = self.stack.nodes[node].role.value
        return DockerNode(self.api, cid, node, role, self.run_id)

    def start(self, node: str, handle: DockerNode) -> None:
        """Start the node's container."""
        start_node(self.api, handle.container_id, node)

    def await_ready(
        self, node: str, handle: DockerNode, timeout_s: float, abort: threading.Event
    ) -> str | None:
        """Poll the node's checks; a proxy node is populated with the links once it answers."""
        checks = self.stack.nodes[node].ready
        began = self.clock.now_ns()
        try:
            state: CheckState = wait_node(handle, checks, timeout_s, self.clock, abort)
        except DeadlineExceeded as exc:
            last = exc.last.detail if isinstance(exc.last, CheckState) else exc.last
            return f"not ready after {timeout_s:.1f}s (last check: {last})"
        if state.exited:
            return state.detail
        if state.ready and self.stack.links and handle.role == Role.PROXY.value:
            left = timeout_s - (self.clock.now_ns() - began) / 1e9
            return self._populated(node, handle, max(0.1, left), abort)
        return None

    def _populated(
        self, node: str, handle: DockerNode, timeout_s: float, abort: threading.Event
    ) -> str | None:
        """Populate the proxy once its API answers: an open port is not yet a serving API
        (seen on a loaded host: the port check passed, the first POST was reset)."""
        running = RunningStack(self.stack, self.run_id, "docker", {node: handle}, 0.0)

        def attempt() -> ToxiproxyError | None:
            try:
                populate(running)
            except ToxiproxyError as exc:
                return exc
            return None

        try:
            failed = wait_until(
                attempt,
                lambda e: not isinstance(e, ToxiproxyUnavailable) or abort.is_set(),
                what=f"proxy {node} populated",
                timeout_s=timeout_s,
                interval_s=POLL_S,
                pace=READY_PACE,
                clock=self.clock,
            )
        except DeadlineExceeded as exc:
            return f"not ready after {timeout_s:.1f}s (populating its links: {exc.last})"
        if failed is not None and not isinstance(failed, ToxiproxyUnavailable):
            raise failed  # the proxy answered and refused the links: not a matter of time
        return None
