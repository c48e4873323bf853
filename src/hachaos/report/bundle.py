"""A support bundle for a run that did not pass: node logs and cluster status, redacted,
collected before teardown and emitted as attachments (reporters decide where they go)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from hachaos.events import Attachment, EventBus
from hachaos.node import Node
from hachaos.redact import redact

LOG_LINES = 300

# Each line runs only where its tool exists; one exec per node, bounded in time.
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


def node_status(node: Node, timeout_s: float = 20.0) -> str:
    """What the node's cluster tools say about the cluster right now."""
    try:
        result = node.exec(["sh", "-c", STATUS_SCRIPT], timeout_s=timeout_s)
    except Exception as exc:  # a bundle is best effort: say why a node gave nothing
        return f"(status not available: {exc})"
    return result.output


def _node_part(node: Node) -> tuple[str, str]:
    try:
        logs = node.logs(tail=LOG_LINES)
    except Exception as exc:  # best effort, as above
        logs = f"(logs not available: {exc})"
    return logs, node_status(node)


def collect_bundle(nodes: Mapping[str, Node], bus: EventBus) -> None:
    """Emit each node's last log lines and cluster status as redacted text attachments."""
    if not nodes:
        return
    with ThreadPoolExecutor(max_workers=min(8, len(nodes))) as pool:
        parts = {name: pool.submit(_node_part, node) for name, node in nodes.items()}
    with bus.step("support bundle", nodes=str(len(nodes))):
        for name, future in parts.items():
            logs, status = future.result()
            bus.emit(Attachment(f"logs {name}", redact(logs).encode(), "text/plain", "txt"))
            if status.strip():
                text = redact(status).encode()
                bus.emit(Attachment(f"status {name}", text, "text/plain", "txt"))
