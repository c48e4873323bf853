"""What the hosts backend needs to reach one node again, from any process: the node's host,
its SSH settings, its service and its ports. Written to the run's record before any connection
is made, so a reaper reaches the same nodes after the runner died."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from hachaos.errors import InfraError
from hachaos.spec.hosts import ServiceSpec, SshSpec
from hachaos.spec.models import StackSpec

DEFAULT_SSH_PORT = 22


@dataclass(frozen=True)
class Endpoint:
    """A parsed connection string: scheme, user, host name and port, options."""

    scheme: str
    user: str | None
    hostname: str
    port: int | None
    identity_file: str | None
    sudo: bool

    @classmethod
    def parse(cls, host: str) -> Endpoint:
        """`ssh://user@host:port?ssh_identity_file=F&sudo=true` and the other schemes."""
        url = urllib.parse.urlsplit(host)
        query = urllib.parse.parse_qs(url.query)
        identity = query.get("ssh_identity_file", [None])[0]
        sudo = query.get("sudo", ["false"])[0].lower() == "true"
        user, _, name = url.netloc.rpartition("@")
        port = None
        if url.scheme in ("ssh", "paramiko"):
            port = url.port
            name = url.hostname or name
        return cls(url.scheme, user or None, name, port, identity, sudo)

    @property
    def is_ssh(self) -> bool:
        """Reached over SSH (testinfra's `ssh://` and `paramiko://` alike)."""
        return self.scheme in ("ssh", "paramiko")


class NodePlan(BaseModel):
    """One node of a hosts stack, self-contained (SSH defaults folded in)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    role: str
    host: str
    identity_file: str | None = None
    known_hosts: str | None = None
    strict_host_keys: bool = True
    connect_timeout_s: float = 5.0
    address: str | None = None
    ports: tuple[int, ...] = ()
    service: ServiceSpec

    @property
    def endpoint(self) -> Endpoint:
        """The parsed connection string."""
        return Endpoint.parse(self.host)

    @property
    def key_file(self) -> str | None:
        """The SSH private key: the node's, else the connection string's, else the stack's."""
        chosen = self.identity_file or self.endpoint.identity_file
        return str(Path(chosen).expanduser()) if chosen else None

    @property
    def display(self) -> str:
        """The connection string without options, for messages and node references."""
        return self.host.split("?", 1)[0]

    def connection_key(self) -> tuple[str, str | None, str | None]:
        """Nodes with equal keys share one connection (one per host and identity)."""
        return (self.display, self.key_file, self.known_hosts)

    def runner_address(self) -> str:
        """Where the runner reaches this node's ports: `address`, else the SSH host name, else
        loopback for `local://`."""
        if self.address:
            return self.address
        ep = self.endpoint
        if ep.is_ssh:
            return ep.hostname
        if ep.scheme == "local":
            return "127.0.0.1"
        raise InfraError(
            f"node {self.name} ({self.display}): give it 'address:' (how the runner reaches "
            "its ports); a docker:// host has none the runner can use"
        )


def plan_stack(stack: StackSpec) -> list[NodePlan]:
    """Every node of a hosts stack as a self-contained plan."""
    ssh = stack.ssh or SshSpec()
    plans = []
    for name, node in stack.nodes.items():
        assert node.host is not None and node.service is not None  # validated: hosts stack
        plans.append(
            NodePlan(
                name=name,
                role=node.role.value,
                host=node.host,
                identity_file=node.identity_file or ssh.identity_file,
                known_hosts=ssh.known_hosts,
                strict_host_keys=ssh.strict_host_keys,
                connect_timeout_s=ssh.connect_timeout_s,
                address=node.address,
                ports=tuple(p.container for p in node.port_specs()),
                service=node.service,
            )
        )
    return plans
