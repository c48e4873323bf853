"""One connection per host: run a shell command there with a deadline.

SSH (`ssh://`, `paramiko://`) keeps ONE paramiko connection per host and opens a channel per
command (a few milliseconds), reconnecting once when the connection dropped. `docker://` and
`local://` run `docker exec` / a local `sh` per command. Every command also runs under the
host's own `timeout -s KILL`, so nothing outlives its deadline there.
"""

from __future__ import annotations

import shlex
import socket
import subprocess
import threading
import time
from typing import Protocol

import paramiko

from hachaos.backends.hosts.errors import HostAuthFailed, HostUnreachable
from hachaos.backends.hosts.plan import NodePlan
from hachaos.node import ExecResult

MAX_OUTPUT = 1 << 20
KEEPALIVE_S = 15


def wrap(command: str, timeout_s: float, sudo: bool) -> str:
    """`command` run by `sh` under the host's `timeout -s KILL` (and `sudo -n` when asked)."""
    inner = f"timeout -s KILL {max(1, round(timeout_s + 0.5))} sh -c {shlex.quote(command)}"
    return f"sudo -n {inner}" if sudo else inner


class Transport(Protocol):
    """Runs shell commands on one host."""

    def run(self, command: str, timeout_s: float) -> ExecResult:
        """Run `command` with `sh`; exit code and combined output. Raises HostUnreachable /
        HostAuthFailed when the host cannot be reached at all."""
        ...

    def close(self) -> None:
        """Drop the connection (a later `run` connects again)."""
        ...


def _connect_error(plan: NodePlan, exc: BaseException) -> Exception:
    where = f"host {plan.display}"
    key = plan.key_file or "the default keys"
    if isinstance(exc, paramiko.BadHostKeyException):
        return HostAuthFailed(
            f"{where}: its host key CHANGED (known_hosts {plan.known_hosts or '~/.ssh'}); if the "
            "host was rebuilt, replace its line there"
        )
    if isinstance(exc, paramiko.AuthenticationException):
        return HostAuthFailed(
            f"{where}: the key was refused ({key}); authorize its public key for that user or "
            "fix 'identity_file'"
        )
    if isinstance(exc, paramiko.SSHException) and "known_hosts" in str(exc):
        known = plan.known_hosts or "~/.ssh/known_hosts"
        return HostAuthFailed(
            f"{where}: its host key is unknown; add it to {known} (ssh-keyscan) or set "
            "ssh.strict_host_keys: false"
        )
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return HostUnreachable(
        f"{where}: cannot connect ({reason}); check the address, port and that sshd runs there"
    )


def _load_key(plan: NodePlan) -> paramiko.PKey:
    """The node's private key (its type read from the file); HostAuthFailed when unusable."""
    key = str(plan.key_file)
    try:
        return paramiko.PKey.from_path(key)
    except paramiko.PasswordRequiredException:
        raise HostAuthFailed(
            f"host {plan.display}: key {key} is encrypted; give an unencrypted key file"
        ) from None
    except (OSError, paramiko.SSHException, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise HostAuthFailed(
            f"host {plan.display}: cannot use key file {key} ({reason}); fix 'identity_file'"
        ) from None


class SshTransport:
    """One paramiko connection to one host, shared by every thread and node using it."""

    def __init__(self, plan: NodePlan) -> None:
        self._plan = plan
        self._lock = threading.Lock()
        self._client: paramiko.SSHClient | None = None
        self.connects = 0  # how many connections were opened (one, unless one dropped)

    def _open(self) -> paramiko.SSHClient:
        plan, ep = self._plan, self._plan.endpoint
        client = paramiko.SSHClient()
        client.load_system_host_keys()
        if plan.known_hosts:
            client.load_host_keys(plan.known_hosts)
        policy = paramiko.RejectPolicy() if plan.strict_host_keys else paramiko.AutoAddPolicy()
        client.set_missing_host_key_policy(policy)
        key = plan.key_file
        t = plan.connect_timeout_s
        pkey = _load_key(plan) if key else None
        try:
            client.connect(
                ep.hostname,
                port=ep.port or 22,
                username=ep.user,
                pkey=pkey,
                look_for_keys=key is None,
                allow_agent=key is None,
                timeout=t,
                banner_timeout=t,
                auth_timeout=t,
                channel_timeout=t,
            )
        except (paramiko.SSHException, OSError) as exc:
            client.close()
            raise _connect_error(plan, exc) from None
        transport = client.get_transport()
        if transport is not None:
            transport.set_keepalive(KEEPALIVE_S)
            # small request/reply packets: without this, Nagle and delayed ACKs add ~40 ms
            sock = transport.sock
            if isinstance(sock, socket.socket):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.connects += 1
        return client

    def _transport(self) -> paramiko.Transport:
        with self._lock:
            live = self._client.get_transport() if self._client is not None else None
            if live is None or not live.is_active():
                if self._client is not None:
                    self._client.close()
                self._client = self._open()
                live = self._client.get_transport()
            assert live is not None
            return live

    def run(self, command: str, timeout_s: float) -> ExecResult:
        """One channel on the shared connection; a dropped connection is re-opened once."""
        full = wrap(command, timeout_s, self._plan.endpoint.sudo)
        for attempt in (1, 2):
            try:
                chan = self._transport().open_session(timeout=self._plan.connect_timeout_s)
            except (paramiko.SSHException, EOFError, OSError):
                self.close()
                if attempt == 2:
                    raise HostUnreachable(f"host {self._plan.display}: connection lost") from None
                continue
            return _exec(chan, full, timeout_s)
        raise AssertionError("unreachable")

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def _exec(chan: paramiko.Channel, command: str, timeout_s: float) -> ExecResult:
    """Run `command` on `chan` and read everything until EOF or the deadline."""
    deadline = time.monotonic() + timeout_s + 2.0  # the host's own timeout fires first
    chunks: list[bytes] = []
    size = 0
    with chan:
        chan.set_combine_stderr(True)
        chan.exec_command(command)
        while True:
            chan.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = chan.recv(65536)
            except TimeoutError:
                return ExecResult(-1, f"timed out after {timeout_s:g}s")
            if not data:
                break
            chunks.append(data)
            size += len(data)
            while size > MAX_OUTPUT and len(chunks) > 1:
                size -= len(chunks.pop(0))
        code = chan.recv_exit_status()
    return ExecResult(code, b"".join(chunks).decode(errors="replace"))


class ShellTransport:
    """`docker exec` into a container, or a local `sh`: a process per command."""

    def __init__(self, plan: NodePlan) -> None:
        self._plan = plan
        ep = plan.endpoint
        if ep.scheme == "docker":
            user = ["-u", ep.user] if ep.user else []
            self._prefix = ["docker", "exec", "-i", *user, ep.hostname, "sh", "-c"]
        else:
            self._prefix = ["sh", "-c"]

    def run(self, command: str, timeout_s: float) -> ExecResult:
        """Run the command in a child process with a deadline."""
        argv = [*self._prefix, wrap(command, timeout_s, self._plan.endpoint.sudo)]
        try:
            proc = subprocess.run(
                argv,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=timeout_s + 2.0,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return ExecResult(-1, f"timed out after {timeout_s:g}s")
        except OSError as exc:
            raise HostUnreachable(f"host {self._plan.display}: {exc.strerror or exc}") from None
        out = proc.stdout.decode(errors="replace")
        if (
            self._plan.endpoint.scheme == "docker"
            and proc.returncode in (125, 126, 127)
            and ("No such container" in out or "is not running" in out)
        ):
            raise HostUnreachable(f"host {self._plan.display}: {out.strip().splitlines()[-1]}")
        return ExecResult(proc.returncode, out)

    def close(self) -> None:
        """Nothing is kept open."""


def transport_for(plan: NodePlan) -> Transport:
    """The transport the node's connection string asks for."""
    return SshTransport(plan) if plan.endpoint.is_ssh else ShellTransport(plan)


class ConnectionPool:
    """One transport per host (and identity): every node on a host shares it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[tuple[str, str | None, str | None], Transport] = {}

    def get(self, plan: NodePlan) -> Transport:
        """The shared transport for `plan`'s host, created on first use (connects lazily)."""
        with self._lock:
            key = plan.connection_key()
            if key not in self._by_key:
                self._by_key[key] = transport_for(plan)
            return self._by_key[key]

    def __len__(self) -> int:
        return len(self._by_key)

    def transports(self) -> list[Transport]:
        """Every transport made so far (one per host)."""
        with self._lock:
            return list(self._by_key.values())

    def close(self) -> None:
        """Close every connection."""
        with self._lock:
            for transport in self._by_key.values():
                transport.close()
            self._by_key.clear()
