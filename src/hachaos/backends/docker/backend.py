"""The Docker backend facade: up, attach, runs, down, and reaching a node again for the reaper."""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from typing import Any

import docker
from docker.errors import NotFound

from hachaos.backends.base import ReapReport, RunInfo
from hachaos.backends.docker import labels, reach
from hachaos.backends.docker.boot import DockerBooter, boot_needs
from hachaos.backends.docker.engine import connect
from hachaos.backends.docker.images import require_images
from hachaos.backends.docker.links import with_proxy_node
from hachaos.backends.docker.node import BACKEND, DockerNode
from hachaos.backends.docker.provision import check_host_ports, create_network
from hachaos.backends.docker.teardown import reap
from hachaos.boot_order import boot_in_order
from hachaos.boot_timeline import TimelineRecorder
from hachaos.capabilities import Capability
from hachaos.errors import StackNotReady
from hachaos.events import ProgressFn, no_progress
from hachaos.node import NodeRef
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec
from hachaos.tls.run_files import forget_run_tls, write_run_tls


def _not_ready(
    stack: StackSpec, nodes: dict[str, DockerNode], failures: dict[str, str]
) -> StackNotReady:
    """The boot's failure: each bad node's reason, and its last 50 log lines."""
    logs = {name: nodes[name].logs(tail=50) for name in failures if name in nodes}
    summary = "; ".join(f"{n}: {why}" for n, why in sorted(failures.items()))
    return StackNotReady(f"stack '{stack.name}' did not become healthy: {summary}", logs)


def _run_info(run_id: str, containers: list[dict[str, Any]]) -> RunInfo:
    running = sum(1 for c in containers if c["State"] == "running")
    return RunInfo(
        run_id=run_id,
        stack=containers[0]["Labels"].get(labels.STACK, "?"),
        nodes=tuple(sorted(c["Labels"].get(labels.NODE, c["Names"][0]) for c in containers)),
        status=f"{running}/{len(containers)} running",
    )


class DockerBackend:
    """Runs stacks as labelled containers on one bridge network per run."""

    name = BACKEND
    removes_nodes = True  # down() removes the containers: restarting a killed one is moot

    def __init__(self, api: docker.APIClient | None = None) -> None:
        self._api = api

    @property
    def api(self) -> docker.APIClient:
        """The engine's API client, connected (and pinged) on first use."""
        if self._api is None:
            self._api = connect()
        return self._api

    def capabilities(self, stack: StackSpec) -> frozenset[Capability]:
        """Everything, on every stack: containers can be killed, stopped, paused, cut apart by
        rules in their namespaces, disconnected; links get the embedded proxy node."""
        return frozenset(Capability)

    def up(self, stack: StackSpec, run_id: str, progress: ProgressFn = no_progress) -> RunningStack:
        """Create, start and wait for every node, each as soon as what it needs is ready (see
        `hachaos.boot_order`); on any failure remove what was created."""
        t0 = time.monotonic()
        timeline = TimelineRecorder()
        stack = with_proxy_node(stack)
        ready = itertools.count(1)  # called from each node's thread: next() is atomic

        def on_ready(node: str) -> None:
            progress(f"nodes ready {next(ready)}/{len(stack.nodes)} ({node})")

        asked = reach.wanted()
        require_images(self.api, {stack.image_of(n) for n in stack.nodes})
        check_host_ports(stack)
        tls = write_run_tls(stack.tls, run_id) if stack.tls is not None else None
        try:
            network = create_network(self.api, run_id, stack.name)
            booter = DockerBooter(
                self.api,
                stack,
                run_id,
                network,
                reach=reach.choose(self.api, network, asked),
                tls=tls,
                clock=timeline.clock,
            )
            remaining = stack.ready_timeout_s - (time.monotonic() - t0)
            booted = boot_in_order(
                boot_needs(stack), booter, remaining, timeline=timeline, on_ready=on_ready
            )
            if booted.failures:
                raise _not_ready(stack, booted.handles, booted.failures)
        except BaseException:
            reap(self.api, run_id)
            forget_run_tls(run_id)
            raise
        boot_s = time.monotonic() - t0
        nodes = {n: booted.handles[n] for n in stack.nodes}
        return RunningStack(
            stack, run_id, self.name, nodes, boot_s, tls=tls, timeline=timeline.timeline()
        )

    def attach(self, stack: StackSpec, run_id: str) -> RunningStack:
        """Handles to the nodes of an existing run (e.g. one started by `hachaos up`)."""
        found = self.api.containers(all=True, filters=labels.run_filter(run_id))
        nodes = {
            c["Labels"][labels.NODE]: DockerNode(
                self.api, c["Id"], c["Labels"][labels.NODE], c["Labels"][labels.ROLE], run_id
            )
            for c in found
        }
        return RunningStack(stack, run_id, self.name, nodes, 0.0)

    def reattach(self, ref: NodeRef, run_id: str) -> DockerNode | None:
        """The container `ref` names, as a node of `run_id`; None once it is removed."""
        try:
            info = self.api.inspect_container(ref.locator)
        except NotFound:
            return None
        role = (info["Config"].get("Labels") or {}).get(labels.ROLE, "")
        return DockerNode(self.api, ref.locator, ref.node, role, run_id)

    def runs(self) -> list[RunInfo]:
        """Every hachaos run with containers on this engine."""
        by_run: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for c in self.api.containers(all=True, filters=labels.run_filter(None)):
            run_id = c["Labels"].get(labels.RUN)
            if run_id:  # helper containers carry the mark but belong to no run
                by_run[run_id].append(c)
        return [_run_info(run_id, cs) for run_id, cs in sorted(by_run.items())]

    def run_ids(self) -> set[str]:
        """Every run id with labelled containers or networks on this engine."""
        found = self.api.containers(all=True, filters=labels.run_filter(None))
        found += self.api.networks(filters=labels.run_filter(None))
        runs = ((r.get("Labels") or {}).get(labels.RUN) for r in found)
        return {str(run) for run in runs if run}

    def engine_version(self) -> str | None:
        """`docker <version>` of the engine (connects if not yet connected)."""
        return f"docker {self.api.version()['Version']}"

    def down(self, run_id: str | None) -> ReapReport:
        """Remove everything of `run_id` (or of every hachaos run), netns helpers included."""
        return reap(self.api, run_id)
