"""Waiting for a node to be ready: its checks polled, in order, until a deadline."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from hachaos.backends.docker.logwatch import LogWatch
from hachaos.backends.docker.node import DockerNode
from hachaos.clock import Clock, wait_until
from hachaos.probes.tcp import closed_at_once
from hachaos.spec.models import ReadyCheck

TCP_SETTLE_S = 0.1
POLL_S = 0.05
# A node's checks mostly run in the node (`docker exec`: the engine, runc and a process, often
# an interpreter). Polled back to back while a dozen nodes boot on a loaded 2-core host, they
# compete for the CPUs with the services they check; waiting as long as a round took bounds
# that to half the time per node, at the cost of at most one round's delay.
READY_PACE = 1.0


@dataclass(frozen=True)
class CheckState:
    """One observation of a node's readiness."""

    ready: bool
    exited: bool
    detail: str


def _check(node: DockerNode, check: ReadyCheck, watch: LogWatch | None) -> tuple[bool, str]:
    if check.tcp is not None:
        return _tcp_open(*node.address().host_port(check.tcp), label=f"tcp {check.tcp}")
    if check.exec is not None:
        res = node.exec(check.exec, timeout_s=5)
        ok = res.ok and (check.expect is None or check.expect in res.output)
        return ok, f"{' '.join(check.exec)} -> {res.exit_code}: {res.output.strip()[-120:]}"
    assert check.log is not None
    assert watch is not None, "a node with a log check is awaited with its LogWatch"
    found = watch.search(check.log)
    return found, f"log /{check.log}/ {'seen' if found else 'not seen yet'}"


def _tcp_open(host: str, port: int, label: str) -> tuple[bool, str]:
    """Connect through the published port and see the connection survive a moment.

    Docker's userland proxy accepts on the host port before the service listens and then
    closes at once when nothing answers behind it: an immediate EOF means "not yet".
    """
    try:
        with socket.create_connection((host, port), timeout=0.5) as sock:
            closed = closed_at_once(sock, TCP_SETTLE_S)  # quiet but open: ready
    except OSError as exc:
        return False, f"{label}: {exc.strerror or exc}"
    return (False, f"{label}: closed at once (nothing listening yet)") if closed else (True, label)


def observe(
    node: DockerNode, checks: tuple[ReadyCheck, ...], watch: LogWatch | None = None
) -> CheckState:
    """Run a node's checks in order (log checks on `watch`); stop at the first that fails."""
    state = node.state()
    if not state["Running"]:
        return CheckState(False, True, f"container exited with code {state.get('ExitCode')}")
    for check in checks:
        ok, detail = _check(node, check, watch)
        if not ok:
            return CheckState(False, False, detail)
    return CheckState(True, False, "ready")


def wait_node(
    node: DockerNode,
    checks: tuple[ReadyCheck, ...],
    timeout_s: float,
    clock: Clock,
    abort: threading.Event,
) -> CheckState:
    """Poll until the node is ready, has exited, or another node failed; else DeadlineExceeded.
    Log checks search the node's output as it arrives (one followed stream while waiting)."""
    watch = node.follow_logs() if any(c.log is not None for c in checks) else None
    try:
        state = wait_until(
            lambda: observe(node, checks, watch),
            lambda s: s.ready or s.exited or abort.is_set(),
            what=f"node {node.name} ready",
            timeout_s=timeout_s,
            interval_s=POLL_S,
            pace=READY_PACE,
            clock=clock,
        )
    finally:
        if watch is not None:
            watch.close()
    if state.exited:
        abort.set()  # no point waiting for the others: the stack cannot become healthy
    return state
