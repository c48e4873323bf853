"""What a support bundle collects from one node, through its backend (`Node.exec`, `logs`):
the last lines of its service's output and of its log files, processes, memory and disk,
listening ports, and what its cluster tools say. Each command bounded in time."""

from __future__ import annotations

from dataclasses import dataclass

from hachaos.node import Node

LOG_LINES = 300
FILE_LOG_LINES = 200
EXEC_TIMEOUT_S = 15.0

SYSTEM_SCRIPT = "; ".join(
    (
        "echo '## processes'",
        "ps -eo pid,ppid,user,stat,pcpu,rss,etime,args --sort=-rss 2>/dev/null | head -n 80"
        " || ps aux",
        "echo '## memory'",
        "free -m 2>/dev/null || head -n 5 /proc/meminfo",
        "echo '## disk'",
        "df -hP 2>/dev/null",
        "echo '## listening ports'",
        "ss -ltnup 2>/dev/null || netstat -ltnup 2>/dev/null",
        "echo '## log files'",
        "ls -1t /var/log/*/*.log /var/log/*.log 2>/dev/null"
        " | grep -v -E '/(alternatives|dpkg|bootstrap|apt/.*)[.]log$' | head -n 8"
        " | while read -r f; do "
        f'echo "### $f"; tail -n {FILE_LOG_LINES} "$f"; done',
        "true",
    )
)

# Each line runs only where its tool exists.
STATUS_SCRIPT = "; ".join(
    (
        "command -v patronictl >/dev/null && for c in /etc/patroni/*.yml; do "
        'echo "## patronictl list"; patronictl -c "$c" list; done',
        "command -v etcdctl >/dev/null && pgrep -x etcd >/dev/null && "
        'echo "## etcdctl endpoint status"; etcdctl endpoint status -w table',
        "pgrep -x redis-server >/dev/null && echo '## redis info replication' && "
        "redis-cli info replication",
        "pgrep -f redis-sentinel >/dev/null && echo '## sentinel masters' && "
        "redis-cli -p 26379 sentinel masters",
        "command -v rabbitmqctl >/dev/null && pgrep -f beam >/dev/null && "
        "echo '## rabbitmqctl cluster_status' && rabbitmqctl cluster_status",
        "command -v appliance >/dev/null && echo '## appliance status' && appliance status",
        "true",
    )
)


@dataclass(frozen=True)
class NodeParts:
    """The texts collected from one node, by file name inside the node's folder."""

    node: str
    texts: dict[str, str]


def _exec(node: Node, script: str) -> str:
    try:
        result = node.exec(["sh", "-c", script], timeout_s=EXEC_TIMEOUT_S)
    except Exception as exc:  # a bundle is best effort: say why a part is empty
        return f"(not available: {exc})"
    return result.output


def node_status(node: Node) -> str:
    """What the node's cluster tools say about the cluster right now."""
    return _exec(node, STATUS_SCRIPT)


def node_logs(node: Node) -> str:
    """The node's service output, last LOG_LINES lines."""
    try:
        return node.logs(tail=LOG_LINES)
    except Exception as exc:  # best effort, as above
        return f"(logs not available: {exc})"


def collect_node(node: Node) -> NodeParts:
    """Every part of one node (three bounded calls)."""
    running = True
    try:
        running = node.is_running()
    except Exception:  # the backend will say more in the parts themselves
        running = True
    texts = {"service.log": node_logs(node)}
    if running:
        texts["system.txt"] = _exec(node, SYSTEM_SCRIPT)
        texts["status.txt"] = node_status(node)
    else:
        texts["system.txt"] = "(node not running: nothing to ask it)"
    return NodeParts(node.name, texts)
