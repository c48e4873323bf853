"""Which software versions a node actually runs, read from the node through `Node.exec`.

One small shell script per node tries every known version command and prints `name=version`
for those that exist; nodes are asked in parallel, each bounded in time, once per run after
boot. A node that cannot be asked gets no versions, never an error: versions are facts for the
record, not a condition of the run.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor

from hachaos.node import Node

# name -> (binary that must exist, command printing a line that contains the version)
VERSION_COMMANDS: dict[str, tuple[str, str]] = {
    "postgres": ("pg_config", "$(pg_config --bindir)/postgres --version"),
    "patroni": ("patroni", "patroni --version"),
    "etcd": ("etcd", "etcd --version"),
    "redis": ("redis-server", "redis-server --version"),
    "haproxy": ("haproxy", "haproxy -v"),
    # RabbitMQ and Erlang from their installed files first: `rabbitmqctl version` and `erl`
    # each boot an Erlang VM (seconds per node on a loaded host; the platform stack's versions
    # took 13.6 s); the commands only where the files are not where the packages put them
    "rabbitmq": (
        "rabbitmqctl",
        'set -- /usr/lib/rabbitmq/lib/rabbitmq_server-*; [ -d "$1" ] && echo "${1##*-}" || '
        "rabbitmqctl version",
    ),
    "erlang": (
        "erl",
        'cat "$(dirname "$(readlink -f "$(command -v erl)")")"/../releases/*/OTP_VERSION '
        "2>/dev/null || "
        "erl -noshell -eval 'io:format(\"~s~n\",[erlang:system_info(otp_release)]),halt().'",
    ),
    "app": ("hachaos-app", "hachaos-app --version"),
}
_VERSION = re.compile(r"\d+(?:\.\d+)+(?:[-.+~][0-9A-Za-z]+)*|\d+")


def version_script(commands: Mapping[str, tuple[str, str]] = VERSION_COMMANDS) -> str:
    """The shell script printing `name=<first line of the version command>` per known tool."""
    parts = [
        f"command -v {shlex.quote(binary)} >/dev/null 2>&1 && "
        f'echo "{name}=$({cmd} 2>&1 | head -n 1)"'
        for name, (binary, cmd) in commands.items()
    ]
    return "; ".join(parts) + "; true"


def parse_versions(output: str) -> dict[str, str]:
    """`name=...version text...` lines → {name: version number} (lines without one skipped)."""
    found: dict[str, str] = {}
    for line in output.splitlines():
        name, sep, text = line.partition("=")
        if not sep or name not in VERSION_COMMANDS:
            continue
        match = _VERSION.search(text)
        if match:
            found[name] = match.group(0)
    return found


def node_versions(node: Node, timeout_s: float = 10.0) -> dict[str, str]:
    """The versions `node` reports; {} if it cannot be asked."""
    try:
        result = node.exec(["sh", "-c", version_script()], timeout_s=timeout_s)
    except Exception:  # a node that cannot be asked only lacks facts
        return {}
    return parse_versions(result.output)


def stack_versions(nodes: Mapping[str, Node], timeout_s: float = 10.0) -> dict[str, dict[str, str]]:
    """Every node's versions, asked in parallel."""
    if not nodes:
        return {}
    with ThreadPoolExecutor(max_workers=min(8, len(nodes))) as pool:
        futures = {name: pool.submit(node_versions, n, timeout_s) for name, n in nodes.items()}
        return {name: f.result() for name, f in futures.items()}
