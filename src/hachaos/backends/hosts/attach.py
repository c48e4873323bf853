"""Attaching to an existing deployment: every host answers over its connection, every service
has a running main process, and (when asked) every readiness check passes, before one deadline.

A host that refuses the connection or the key fails at once (waiting does not fix a typo); a
service that is not running yet, or a readiness check, is polled until the deadline. The error
is one line naming the node, its host and what to fix.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from hachaos.backends.hosts.errors import HostError, ServiceNotFound
from hachaos.backends.hosts.node import HostNode
from hachaos.backends.hosts.service import Status
from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded, StackNotReady
from hachaos.spec.models import ReadyCheck, StackSpec


def _tcp(host: str, port: int) -> tuple[bool, str]:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True, f"tcp {host}:{port}"
    except OSError as exc:
        return False, f"tcp {host}:{port}: {exc.strerror or exc}"


def check(node: HostNode, ready: ReadyCheck) -> tuple[bool, str]:
    """One readiness check on a host node: tcp from the runner, exec on the host, or the
    service's log."""
    if ready.tcp is not None:
        return _tcp(*node.address().host_port(ready.tcp))
    if ready.exec is not None:
        res = node.exec(ready.exec, timeout_s=5)
        ok = res.ok and (ready.expect is None or ready.expect in res.output)
        seen = " ".join(res.output.split())[-120:]  # one line, whatever the command printed
        return ok, f"{' '.join(ready.exec)} -> {res.exit_code}: {seen}"
    assert ready.log is not None
    found = re.search(ready.log, node.logs(tail=400), re.MULTILINE) is not None
    return found, f"log /{ready.log}/ {'seen' if found else 'not seen yet'}"


def observe(node: HostNode, checks: Sequence[ReadyCheck]) -> tuple[bool, str]:
    """The service runs and each check passes (in order; the first failure is reported)."""
    status: Status = node.status()
    if not status.running:
        return False, f"service not found: {status.state}"
    for ready in checks:
        ok, detail = check(node, ready)
        if not ok:
            return False, detail
    return True, "ready"


def _await_node(
    node: HostNode, checks: Sequence[ReadyCheck], timeout_s: float, clock: Clock
) -> None:
    try:
        wait_until(
            lambda: observe(node, checks),
            lambda seen: seen[0],
            what=f"node {node.name} ready",
            timeout_s=timeout_s,
            interval_s=0.1,
            clock=clock,
        )
    except DeadlineExceeded as exc:
        last = exc.last[1] if isinstance(exc.last, tuple) else exc.last
        where = f"node {node.name} ({node.plan.display})"
        if isinstance(last, str) and last.startswith("service not found"):
            raise ServiceNotFound(
                f"{where}: {last} after {timeout_s:g}s; start it, or fix the node's 'service:'"
            ) from None
        raise StackNotReady(
            f"{where} not ready after {timeout_s:g}s (last check: {last})"
        ) from None


def connect_all(nodes: Sequence[HostNode]) -> None:
    """Open every host's connection in parallel (one status call each); the first host that
    cannot be reached or refuses the key raises its one-line HostError."""

    def reach(node: HostNode) -> HostError | None:
        try:
            node.status()
        except HostError as exc:
            return exc
        return None

    with ThreadPoolExecutor(max_workers=min(16, len(nodes))) as pool:
        errors = [e for e in pool.map(reach, nodes) if e is not None]
    if errors:
        more = f" (and {len(errors) - 1} more host problem(s))" if len(errors) > 1 else ""
        raise type(errors[0])(f"{errors[0]}{more}")


def await_all(
    stack: StackSpec,
    nodes: Sequence[HostNode],
    timeout_s: float,
    *,
    with_checks: bool = True,
    on_ready: Callable[[str], None] = lambda _node: None,
    clock: Clock = REAL_CLOCK,
) -> None:
    """Every node's service found (and its checks passing) before the deadline, in parallel."""

    def one(node: HostNode) -> BaseException | None:
        checks = stack.nodes[node.name].ready if with_checks else ()
        try:
            _await_node(node, checks, timeout_s, clock)
        except (HostError, StackNotReady) as exc:
            return exc
        on_ready(node.name)
        return None

    with ThreadPoolExecutor(max_workers=min(16, len(nodes))) as pool:
        errors = [e for e in pool.map(one, nodes) if e is not None]
    if errors:
        more = f" (and {len(errors) - 1} more node(s) not ready)" if len(errors) > 1 else ""
        raise type(errors[0])(f"{errors[0]}{more}")
