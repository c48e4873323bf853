"""The hosts backend facade: attach to an existing deployment, undo what a run did, reach a
node again for the reaper. It never creates or removes a host or a service."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

from hachaos.backends.base import ReapReport, RunInfo
from hachaos.backends.hosts.attach import await_all, connect_all
from hachaos.backends.hosts.errors import HostError
from hachaos.backends.hosts.links import check_links
from hachaos.backends.hosts.node import BACKEND, HostNode
from hachaos.backends.hosts.plan import NodePlan, plan_stack
from hachaos.backends.hosts.record import RunRecord, read_record, recorded_runs, write_record
from hachaos.backends.hosts.transport import ConnectionPool
from hachaos.capabilities import Capability
from hachaos.errors import FaultError, InfraError
from hachaos.events import ProgressFn, no_progress
from hachaos.faults.rules import run_tag_prefix
from hachaos.firewall.request import RuleRequest
from hachaos.node import NodeRef
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec

NODE_CAPABILITIES = frozenset({Capability.KILL, Capability.STOP, Capability.PAUSE})


class HostsBackend:
    """Attaches to hosts over one shared connection per host; `down()` removes the run's
    tagged firewall rules and releases the run, nothing else."""

    name = BACKEND
    removes_nodes = False  # a killed service is started again by the reaper

    def __init__(self, pool: ConnectionPool | None = None, root: Path | None = None) -> None:
        self.pool = pool or ConnectionPool()
        self._root = root

    def capabilities(self, stack: StackSpec) -> frozenset[Capability]:
        """Kill, stop, pause and firewall rules on every host; links only through the stack's
        own Toxiproxy; never a network disconnect (a host has no stack network)."""
        link = {Capability.LINK} if stack.toxiproxy is not None else set()
        return NODE_CAPABILITIES | {Capability.FIREWALL} | link

    def nodes(self, plans: list[NodePlan]) -> dict[str, HostNode]:
        """Handles to `plans`' nodes on the pool's shared connections (nothing is sent)."""
        return {p.name: HostNode(p, self.pool.get(p)) for p in plans}

    def reach(
        self, stack: StackSpec, *, with_checks: bool = True, progress: ProgressFn = no_progress
    ) -> dict[str, HostNode]:
        """Reach every host and find every service (and pass the readiness checks) before the
        stack's ready deadline; one-line HostError / StackNotReady otherwise."""
        if not stack.on_hosts:
            raise InfraError(f"stack '{stack.name}' is not a hosts stack (set 'backend: hosts')")
        nodes = self.nodes(plan_stack(stack))
        ready: list[str] = []

        def on_ready(node: str) -> None:
            ready.append(node)
            progress(f"nodes ready {len(ready)}/{len(nodes)} ({node})")

        connect_all(list(nodes.values()))
        await_all(
            stack,
            list(nodes.values()),
            stack.ready_timeout_s,
            with_checks=with_checks,
            on_ready=on_ready,
        )
        check_links(stack)
        return nodes

    def up(self, stack: StackSpec, run_id: str, progress: ProgressFn = no_progress) -> RunningStack:
        """Attach: the run's record first (so a reaper can reach the hosts), then every host
        reached, every service found and ready, before the deadline."""
        t0 = time.monotonic()
        write_record(RunRecord(run_id, stack.name, tuple(plan_stack(stack))), self._root)
        nodes = self.reach(stack, progress=progress)
        return RunningStack(
            stack, run_id, self.name, dict(nodes), time.monotonic() - t0, stack.toxiproxy_url
        )

    def attach(self, stack: StackSpec, run_id: str) -> RunningStack:
        """Handles to the nodes of a run already attached by `up()` (hosts reached, services
        found; no readiness checks), e.g. for conformance checks or a support bundle."""
        t0 = time.monotonic()
        nodes = self.reach(stack, with_checks=False)
        return RunningStack(
            stack, run_id, self.name, dict(nodes), time.monotonic() - t0, stack.toxiproxy_url
        )

    def reattach(self, ref: NodeRef, run_id: str) -> HostNode | None:
        """The node `ref` names, from the run's record, over a connection of this process."""
        record = read_record(run_id, self._root)
        plan = record.plan(ref.node) if record is not None else None
        if plan is None or plan.display != ref.locator:
            raise FaultError(f"run {run_id} has no record of node {ref.node} ({ref.locator})")
        return self.nodes([plan])[plan.name]

    def runs(self) -> list[RunInfo]:
        """Runs attached to hosts and not yet released."""
        return [
            RunInfo(r.run_id, r.stack, tuple(p.name for p in r.plans), f"{len(r.plans)} attached")
            for r in recorded_runs(self._root)
        ]

    def run_ids(self) -> set[str]:
        """Ids of runs not yet released."""
        return {r.run_id for r in recorded_runs(self._root)}

    def down(self, run_id: str | None) -> ReapReport:
        """Remove every firewall rule tagged with the run on each of its hosts, close the
        connections and release the run (nothing is removed from the hosts)."""
        t0 = time.monotonic()
        records = [read_record(run_id, self._root)] if run_id else recorded_runs(self._root)
        problems: list[str] = []
        for record in (r for r in records if r is not None):
            problems += self._sweep_rules(record)
            write_record(RunRecord(record.run_id, record.stack, record.plans, True), self._root)
        self.pool.close()
        if problems:
            raise FaultError(f"run {run_id or 'all'}: {'; '.join(problems)}")
        return ReapReport(run_id, 0, 0, 0, time.monotonic() - t0)

    def _sweep_rules(self, record: RunRecord) -> list[str]:
        """Delete the run's tagged rules once per host (nodes sharing a host share rules)."""
        by_host = {p.connection_key(): p for p in record.plans}
        nodes = self.nodes(list(by_host.values()))
        request = RuleRequest(remove=run_tag_prefix(record.run_id), prefix=True)

        def sweep(node: HostNode) -> str | None:
            try:
                res = node.apply_rules(request)
            except (FaultError, HostError) as exc:
                return str(exc)
            return f"{node.name}: {res.error}" if res.error else None

        with ThreadPoolExecutor(max_workers=min(16, len(nodes) or 1)) as pool:
            return [e for e in pool.map(sweep, nodes.values()) if e]

    def engine_version(self) -> str | None:
        """`hosts (paramiko <version>)`: what reaches the nodes."""
        return f"hosts (paramiko {version('paramiko')})"
