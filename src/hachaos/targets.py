"""Blast radius: a stack that describes an existing deployment (`backend: hosts`) is used only
when the run names it explicitly, so a typo in a stack directory or a scenario cannot inject
faults into the wrong environment."""

from __future__ import annotations

from collections.abc import Collection

from hachaos.backends.hosts.errors import TargetNotNamed
from hachaos.spec.models import StackSpec


def hosts_of(stack: StackSpec, shown: int = 2) -> str:
    """The first hosts of a stack, e.g. `ssh://root@10.0.0.5:22, ssh://... (+4 more)`."""
    hosts = sorted({(n.host or "?").split("?", 1)[0] for n in stack.nodes.values()})
    more = f" (+{len(hosts) - shown} more)" if len(hosts) > shown else ""
    return ", ".join(hosts[:shown]) + more


def require_named(stack: StackSpec, targets: Collection[str], option: str) -> None:
    """Refuse a hosts stack the run did not name with `option NAME`; TargetNotNamed (one line,
    naming the stack, its hosts and the fix) otherwise. Booted stacks need no name."""
    if not stack.on_hosts or stack.name in targets:
        return
    named = f" (named: {', '.join(sorted(targets))})" if targets else ""
    raise TargetNotNamed(
        f"stack '{stack.name}' is an existing deployment ({hosts_of(stack)}): refusing to "
        f"inject faults there unless the run names it: add {option} {stack.name}{named}"
    )
