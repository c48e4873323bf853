"""Has a RabbitMQ cluster re-formed after a fault? Every node's own view, and a nudge if needed.

Whole means: every declared node runs its app, sees all declared nodes running, lists no
partition, and every member of the quorum queue is online. A node paused by pause_minority may
stay listed as partitioned after the network heals (seen on this machine); if the cluster is not
whole after `repair_after_s`, each stuck node gets `rabbitmqctl stop_app && start_app`, once:
that is the documented recovery (restart the nodes outside the trusted partition).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.running import RunningStack
from hachaos.spec.models import Role
from hachaos.topology.base import HealReport
from hachaos.topology.rabbitmq_ctl import parse_queues

# a paused node (app and Mnesia stopped) still answers: {false, [], []}
VIEW_EVAL = (
    "{rabbit:is_running(),"
    " try lists:sort(rabbit_nodes:all_running()) catch _:_ -> [] end,"
    " try rabbit_node_monitor:partitions() catch _:_ -> [] end}."
)
_VIEW_RE = re.compile(r"^\{(true|false),\[(.*?)\],\[(.*?)\]\}$")
_NODE_RE = re.compile(r"[\w.-]+@([\w.-]+)")
POLL_S = 1.0
CTL_TIMEOUT_S = 15.0
APP_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class NodeView:
    """What one node says about the cluster; `reachable` False when it did not answer."""

    node: str
    reachable: bool
    running: bool = False
    sees: tuple[str, ...] = ()  # node names it lists as running
    partitions: tuple[str, ...] = ()  # node names it lists as partitioned from it

    def describe(self) -> str:
        """e.g. `rabbit-3: app stopped, sees rabbit-3, partitioned from rabbit-1,rabbit-2`."""
        if not self.reachable:
            return f"{self.node}: no answer"
        text = f"{self.node}: {'running' if self.running else 'app stopped'}"
        text += f", sees {','.join(self.sees) or 'nothing'}"
        if self.partitions:
            text += f", partitioned from {','.join(self.partitions)}"
        return text


def parse_view(node: str, output: str) -> NodeView:
    """Parse the `VIEW_EVAL` answer; an unparsable one counts as no answer."""
    m = _VIEW_RE.match("".join(output.split()))
    if m is None:
        return NodeView(node, reachable=False)
    return NodeView(
        node,
        reachable=True,
        running=m.group(1) == "true",
        sees=tuple(sorted(_NODE_RE.findall(m.group(2)))),
        partitions=tuple(sorted(_NODE_RE.findall(m.group(3)))),
    )


@dataclass(frozen=True)
class ClusterHealth:
    """Every declared node's view, plus the quorum queue's online members (None: unknown)."""

    declared: tuple[str, ...]
    views: tuple[NodeView, ...]
    queue_offline: tuple[str, ...] | None = None

    @property
    def formed(self) -> bool:
        """Every node runs, sees every declared node and lists no partition."""
        full = tuple(sorted(self.declared))
        return all(
            v.reachable and v.running and v.sees == full and not v.partitions for v in self.views
        )

    @property
    def whole(self) -> bool:
        """Formed, and no quorum-queue member is offline."""
        return self.formed and self.queue_offline == ()

    def stuck(self) -> tuple[str, ...]:
        """Nodes to restart: app stopped, named as partitioned by a node that sees a majority, or
        running on the minority side while listing a partition (a node frozen while the others
        decided: the majority may list nothing, having simply dropped it)."""
        majority = len(self.declared) // 2 + 1
        out = {v.node for v in self.views if v.reachable and not v.running}
        for v in self.views:
            if v.running and len(v.sees) >= majority:
                out.update(p for p in v.partitions if p not in v.sees)
            elif v.running and v.partitions:
                out.add(v.node)
        return tuple(sorted(out & set(self.declared)))

    def describe(self) -> str:
        """Each node's view, and offline queue members."""
        text = "; ".join(v.describe() for v in self.views)
        if self.queue_offline:
            text += f"; queue members offline: {','.join(self.queue_offline)}"
        return text


class RabbitMQHealer:
    """Observes every node's view of the cluster and restarts stuck apps once."""

    def __init__(self, stack: RunningStack, queue: str, clock: Clock = REAL_CLOCK) -> None:
        self._stack = stack
        self._queue = queue
        self._clock = clock
        self._names = tuple(n.name for n in stack.declared(Role.RABBIT))

    def _ctl(self, node: str, *args: str, timeout_s: float = CTL_TIMEOUT_S) -> str | None:
        handle = self._stack.node(node)
        if not handle.is_running():
            return None
        res = handle.exec(["rabbitmqctl", "-q", *args], timeout_s=timeout_s)
        return res.output if res.ok else None

    def observe(self) -> ClusterHealth:
        """Every node's view now (one rabbitmqctl call each), and the queue's offline members."""
        views = tuple(parse_view(n, self._ctl(n, "eval", VIEW_EVAL) or "") for n in self._names)
        health = ClusterHealth(self._names, views)
        if not health.formed:
            return health
        return ClusterHealth(self._names, views, self._queue_offline())

    def _queue_offline(self) -> tuple[str, ...] | None:
        out = self._ctl(
            self._names[0], "list_queues", "name", "members", "online", "--formatter", "json"
        )
        if out is None:
            return None
        for q in parse_queues(out):
            if q.name == self._queue:
                return tuple(sorted(set(q.members) - set(q.online)))
        return ()  # no queue yet: nothing can be offline

    def restart_app(self, node: str) -> bool:
        """`stop_app` then `start_app` on `node`; True when both succeeded."""
        stopped = self._ctl(node, "stop_app", timeout_s=APP_TIMEOUT_S) is not None
        return stopped and self._ctl(node, "start_app", timeout_s=APP_TIMEOUT_S) is not None

    def _wait(self, timeout_s: float) -> ClusterHealth:
        return wait_until(
            self.observe,
            lambda h: h.whole,
            what="rabbitmq cluster re-formed",
            timeout_s=max(0.1, timeout_s),
            interval_s=POLL_S,
            clock=self._clock,
        )

    def await_healed(self, timeout_s: float, repair_after_s: float = 20.0) -> HealReport:
        """Wait until whole; after `repair_after_s` restart stuck apps once; report."""
        start = self._clock.now_ns()

        def elapsed() -> float:
            return (self._clock.now_ns() - start) / 1e9

        try:
            self._wait(min(repair_after_s, timeout_s))
            return HealReport(True, elapsed(), "cluster whole")
        except DeadlineExceeded:
            pass
        health = self.observe()
        repaired = tuple(n for n in health.stuck() if self.restart_app(n))
        try:
            self._wait(timeout_s - elapsed())
        except DeadlineExceeded:
            return HealReport(False, elapsed(), self.observe().describe(), repaired)
        return HealReport(True, elapsed(), "cluster whole", repaired)
