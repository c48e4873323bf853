"""A quorum cluster (see `QuorumTopology`): roles as declared; claims and healing asked of the
members themselves.

- claim: every member sees all declared members as voting members (`etcdctl member list`),
  so a cluster that formed as several one-member clusters (each member's `--initial-cluster`
  naming only itself) or without some member fails at steady state (`claim-mismatch`);
- healed: every member is running and answers its health endpoint with 200 (in a quorum, its
  database reachable).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.models import QuorumTopology, Role
from hachaos.topology.base import ClaimReport, HealReport

EXEC_TIMEOUT_S = 5.0
MEMBER_LIST = ("etcdctl", "--command-timeout=3s", "member", "list")


@dataclass(frozen=True)
class MemberView:
    """What one member says: the members it lists (None: it did not answer) and its health."""

    node: str
    members: tuple[str, ...] | None = None
    healthy: bool = False

    def summary(self) -> str:
        """e.g. `server-1 sees 3 (healthy)`."""
        seen = "?" if self.members is None else str(len(self.members))
        return f"{self.node} sees {seen} ({'healthy' if self.healthy else 'unhealthy'})"


def member_names(output: str) -> tuple[str, ...]:
    """The names of started voting members in `etcdctl member list` output
    (`id, started, name, peer urls, client urls, is learner`)."""
    names = []
    for line in output.splitlines():
        fields = [f.strip() for f in line.split(",")]
        if len(fields) >= 3 and fields[1] == "started" and fields[-1] != "true":
            names.append(fields[2])
    return tuple(sorted(names))


def health_command(topo: QuorumTopology) -> list[str]:
    """A command printing the member's health status code (python3 is in every node)."""
    url = f"http://127.0.0.1:{topo.health_port}{topo.health_path}"
    script = (
        "import urllib.request as u, urllib.error as e\n"
        f"try: print(u.urlopen({url!r}, timeout=3).status)\n"
        "except e.HTTPError as x: print(x.code)\n"
    )
    return ["python3", "-c", script]


class QuorumResolver:
    """Declared roles (running nodes only); claims and heal from the members."""

    def __init__(self, stack: RunningStack, clock: Clock = REAL_CLOCK) -> None:
        self._stack = stack
        self._topo = stack.topology_as(QuorumTopology, "quorum cluster checks")
        self._clock = clock

    def holders(self, role: Role) -> list[Node]:
        """Running nodes declared with `role`."""
        return [n for n in self._stack.declared(role) if n.is_running()]

    def _members(self) -> list[Node]:
        return self._stack.declared(self._topo.members)

    def _view(self, node: Node) -> MemberView:
        if not node.is_running():
            return MemberView(node.name)
        listed = node.exec(MEMBER_LIST, timeout_s=EXEC_TIMEOUT_S)
        health = node.exec(health_command(self._topo), timeout_s=EXEC_TIMEOUT_S)
        members = member_names(listed.output) if listed.ok else None
        return MemberView(node.name, members, health.ok and health.output.strip() == "200")

    def views(self) -> list[MemberView]:
        """Every member's view, asked in parallel."""
        nodes = self._members()
        with ThreadPoolExecutor(max_workers=max(1, len(nodes))) as pool:
            return list(pool.map(self._view, nodes))

    def check_claims(self, timeout_s: float) -> tuple[ClaimReport, ...]:
        """One claim: every member lists exactly the declared members."""
        declared = tuple(sorted(n.name for n in self._members()))
        claim = f"quorum of {len(declared)} members"
        try:
            views = wait_until(
                self.views,
                lambda vs: all(v.members == declared for v in vs),
                what=claim,
                timeout_s=timeout_s,
                interval_s=0.5,
                clock=self._clock,
            )
        except DeadlineExceeded as exc:
            last = exc.last if isinstance(exc.last, list) else []
            observed = ", ".join(v.summary() for v in last) or str(exc.last)
            return (ClaimReport(claim, False, observed),)
        return (ClaimReport(claim, True, ", ".join(v.summary() for v in views)),)

    def await_healed(self, timeout_s: float) -> HealReport:
        """Wait until every member is running and healthy again."""
        start = self._clock.now_ns()
        try:
            views = wait_until(
                self.views,
                lambda vs: all(v.healthy for v in vs),
                what="quorum cluster re-formed",
                timeout_s=timeout_s,
                interval_s=0.5,
                clock=self._clock,
            )
        except DeadlineExceeded as exc:
            last = exc.last if isinstance(exc.last, list) else []
            elapsed = (self._clock.now_ns() - start) / 1e9
            return HealReport(False, elapsed, ", ".join(v.summary() for v in last) or str(exc.last))
        elapsed = (self._clock.now_ns() - start) / 1e9
        return HealReport(True, elapsed, ", ".join(v.summary() for v in views))
