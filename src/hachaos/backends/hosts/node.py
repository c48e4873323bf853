"""A service on an existing host as a Node: kill, stop, start, pause and resume its processes,
tagged firewall rules in the host's network namespace, exec and logs, all over the host's one
shared connection; and the reference a reaper reaches it again by."""

from __future__ import annotations

import json
import shlex
import socket
from collections.abc import Sequence

from hachaos.backends.hosts.errors import HostError
from hachaos.backends.hosts.plan import NodePlan
from hachaos.backends.hosts.service import Hint, ServiceScripts, Status
from hachaos.backends.hosts.transport import Transport
from hachaos.clock import wait_until
from hachaos.errors import DeadlineExceeded, FaultError
from hachaos.firewall import helper_script
from hachaos.firewall.request import RuleRequest, RuleResponse
from hachaos.node import Address, ExecResult, NodeRef

BACKEND = "hosts"  # the registry name, in every NodeRef a host node gives
CONTROL_TIMEOUT_S = 10.0
START_TIMEOUT_S = 30.0
FIREWALL_TIMEOUT_S = 30.0


def _ipv4(address: str) -> str | None:
    try:
        return str(socket.getaddrinfo(address, None, socket.AF_INET)[0][4][0])
    except (OSError, IndexError):
        return None


class HostNode:
    """One node of a hosts stack: its service on its host, reached through `transport`."""

    def __init__(self, plan: NodePlan, transport: Transport) -> None:
        self.plan = plan
        self.name = plan.name
        self.role = plan.role
        self._t = transport
        self._scripts = ServiceScripts(plan.service)
        self._addr: Address | None = None
        self._hint = Hint()  # the main process last seen running

    def __repr__(self) -> str:
        return f"HostNode({self.name!r}, {self.plan.display!r})"

    def _run(self, command: str, timeout_s: float = CONTROL_TIMEOUT_S) -> ExecResult:
        return self._t.run(command, timeout_s)

    def address(self) -> Address:
        """The address the runner reaches the node's ports at; peers see the same IP."""
        if self._addr is None:
            where = self.plan.runner_address()
            self._addr = Address(
                hostname=self.name,
                ip=_ipv4(where),
                published={p: (where, p) for p in self.plan.ports},
            )
        return self._addr

    def status(self) -> Status:
        """The service's main process now (the one last seen, while it lives; else asked of
        the service's finder, unless we killed or stopped it since)."""
        res = self._run(self._scripts.status(self._hint))
        if not res.ok:
            raise HostError(f"node {self.name} ({self.plan.display}): status failed: {res.output}")
        status = Status.parse(res.output)
        if status.running:
            self._hint = Hint(status.pid, status.started)
        return status

    def is_running(self) -> bool:
        """True while the service's main process exists (frozen counts)."""
        return self.status().running

    def is_paused(self) -> bool:
        """True while the main process is stopped by SIGSTOP."""
        return self.status().paused

    def _signal(self, sig: str, what: str) -> None:
        res = self._run(self._scripts.signal(sig, self._hint))
        if res.exit_code == 3:
            raise FaultError(f"{what} {self.name}: its service is not running")
        if not res.ok:
            raise FaultError(f"{what} {self.name}: {res.output.strip()[-200:]}")

    def kill(self) -> None:
        """SIGKILL every process of the service at once."""
        self._signal("KILL", "kill")
        self._hint = Hint(self._hint.pid, self._hint.started, gone=True)

    def pause(self) -> None:
        """SIGSTOP every process of the service."""
        self._signal("STOP", "pause")

    def resume(self) -> None:
        """SIGCONT every process of the service."""
        self._signal("CONT", "resume")

    def stop(self, timeout_s: float = 10.0) -> None:
        """The service's stop command; SIGKILL whatever still runs after `timeout_s` (as
        `docker stop` does)."""
        res = self._run(self._scripts.stop(), timeout_s)
        self._hint = Hint(self._hint.pid, self._hint.started, gone=True)
        if res.ok and self._wait_running(False, timeout_s):
            return
        if self.is_running():
            self.kill()

    def start(self) -> None:
        """The service's start command, then wait until its main process runs. A refused
        start is tried again until the deadline (a service manager that has not yet noticed a
        kill refuses it); a start command that succeeded is never run twice."""

        self._hint = Hint()  # a new main process: ask the finder from now on

        def attempt() -> bool:
            if self._run(self._scripts.start(), START_TIMEOUT_S).ok:
                return self._wait_running(True, START_TIMEOUT_S)
            return self.is_running()

        try:
            wait_until(
                attempt, bool, what=f"start {self.name}", timeout_s=START_TIMEOUT_S, interval_s=0.2
            )
        except DeadlineExceeded as exc:
            raise FaultError(f"{exc}; its service: {self.status().state}") from None

    def _wait_running(self, running: bool, timeout_s: float) -> bool:
        try:
            wait_until(
                self.is_running,
                lambda r: r is running,
                what=f"{self.name} running={running}",
                timeout_s=timeout_s,
                interval_s=0.05,
            )
        except DeadlineExceeded:
            return False
        return True

    def exec(self, cmd: Sequence[str], timeout_s: float = 30.0) -> ExecResult:
        """Run `cmd` on the host (as the connection's user)."""
        try:
            return self._run(shlex.join(cmd), timeout_s)
        except HostError as exc:
            return ExecResult(-1, f"exec failed: {exc}")

    def logs(self, tail: int = 50) -> str:
        """The service's last `tail` log lines (its log file, or its service manager's)."""
        command = self._scripts.logs(tail)
        if command is None:
            return "(no log: give the service a 'log:' file)"
        try:
            res = self._run(command)
        except HostError as exc:
            return f"(no logs: {exc})"
        return "\n".join(res.output.splitlines()[-tail:])

    def apply_rules(self, request: RuleRequest) -> RuleResponse:
        """Carry out `request` in the host's own namespace, with the same in-namespace script
        Docker's helper containers run (needs python3 and iptables there, as root)."""
        command = shlex.join(["python3", "-c", helper_script(), request.to_json()])
        try:
            res = self._run(command, FIREWALL_TIMEOUT_S)
        except HostError as exc:
            raise FaultError(f"firewall on {self.name}: {exc}") from None
        lines = res.output.strip().splitlines()
        if not res.ok or not lines:
            tail = lines[-1] if lines else "no output"
            raise FaultError(f"firewall on {self.name} ({self.plan.display}) failed: {tail}")
        return RuleResponse.from_json(json.loads(lines[-1]))

    def ref(self) -> NodeRef:
        """The connection string: the reaper reaches the node through the run's record."""
        return NodeRef(BACKEND, self.name, self.plan.display)

    def testinfra_host(self) -> str:
        """A testinfra connection string for this node (with its key file and sudo, if any)."""
        options = [f"ssh_identity_file={self.plan.key_file}"] if self.plan.key_file else []
        options += ["sudo=true"] if self.plan.endpoint.sudo else []
        return f"{self.plan.display}?{'&'.join(options)}" if options else self.plan.display
