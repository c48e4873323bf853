"""Typed models of stack and scenario files: parsed once at the edge, frozen afterwards."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$")


class Model(BaseModel):
    """Base for every spec model: unknown keys are errors, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Role(StrEnum):
    """What a node is for; faults and probes target roles, resolved at fault time."""

    PRIMARY = "primary"
    MASTER = "master"
    REPLICA = "replica"
    SENTINEL = "sentinel"
    LB = "lb"
    APP = "app"
    WORKER = "worker"
    RABBIT = "rabbit"
    ETCD = "etcd"
    PROXY = "proxy"


class PortSpec(Model):
    """A container port published on 127.0.0.1; `host` None means an ephemeral host port."""

    container: int = Field(ge=1, le=65535)
    host: int | None = Field(default=None, ge=1, le=65535)


class ReadyCheck(Model):
    """One readiness check: exactly one of `tcp` (port), `exec` (command) or `log` (regex)."""

    tcp: int | None = Field(default=None, ge=1, le=65535)
    exec: tuple[str, ...] | None = None
    log: str | None = None
    expect: str | None = None  # with exec: a substring the output must contain

    @model_validator(mode="after")
    def _exactly_one(self) -> ReadyCheck:
        kinds = [k for k in ("tcp", "exec", "log") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("a readiness check needs exactly one of 'tcp', 'exec' or 'log'")
        if self.expect is not None and self.exec is None:
            raise ValueError("'expect' only goes with 'exec'")
        if self.log is not None:
            try:
                re.compile(self.log)
            except re.error as exc:
                raise ValueError(f"'log' is not a valid regular expression: {exc}") from None
        return self


class NodeSpec(Model):
    """One member of a stack: its role, image, command, ports, files and readiness checks."""

    role: Role
    image: str | None = None
    command: tuple[str, ...] | None = None
    env: dict[str, str] = Field(default_factory=dict)
    ports: tuple[int | PortSpec, ...] = ()
    files: dict[str, str] = Field(default_factory=dict)
    ready: tuple[ReadyCheck, ...] = ()
    group: str | None = None
    depends_on: tuple[str, ...] = ()  # nodes that must be ready before this one starts
    aliases: tuple[str, ...] = ()  # extra in-network names besides the node name

    @field_validator("files")
    @classmethod
    def _absolute_paths(cls, files: dict[str, str]) -> dict[str, str]:
        bad = [p for p in files if not p.startswith("/")]
        if bad:
            raise ValueError(f"file paths must be absolute, got {bad[0]!r}")
        return files

    def port_specs(self) -> tuple[PortSpec, ...]:
        """Ports normalised to PortSpec."""
        return tuple(p if isinstance(p, PortSpec) else PortSpec(container=p) for p in self.ports)


class LinkSpec(Model):
    """A path to a service that runs through Toxiproxy.

    In-stack clients reach it as `<link name>:<listen>`, the runner through the proxy's published
    port; the proxy forwards to `upstream` (`node:port`).
    """

    upstream: str
    listen: int = Field(ge=1, le=65535)

    @field_validator("upstream")
    @classmethod
    def _host_port(cls, upstream: str) -> str:
        host, _, port = upstream.rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"upstream must be 'node:port', got {upstream!r}")
        return upstream

    @property
    def upstream_node(self) -> str:
        """The node the link forwards to."""
        return self.upstream.rpartition(":")[0]


class RedisSentinelTopology(Model):
    """Who the master is comes from the Sentinels, asked at fault time."""

    kind: Literal["redis-sentinel"]
    replication: Literal["async"] = "async"  # Redis replication is always asynchronous
    master_name: str = "mymaster"
    data_port: int = 6379
    sentinel_port: int = 26379


class RabbitMQTopology(Model):
    """RabbitMQ roles from the cluster: `primary` is the quorum queue's leader, asked at fault
    time; `queue` is the quorum queue probes and ledgers publish to."""

    kind: Literal["rabbitmq"]
    queue: str = Field(default="hachaos", min_length=1, max_length=200)
    amqp_port: int = Field(default=5672, ge=1, le=65535)

    def derived_roles(self) -> frozenset[Role]:
        """Roles held at run time without being declared on a node: the queue's leader
        (`primary`, alias `master`) and its followers (`replica`)."""
        return frozenset({Role.PRIMARY, Role.MASTER, Role.REPLICA})


class StaticTopology(Model):
    """Roles are exactly as declared in the spec (no runtime discovery)."""

    kind: Literal["static"]


class EntrySpec(Model):
    """The client entry point of a stack: a node and the in-stack port clients connect to."""

    node: str
    port: int = Field(ge=1, le=65535)


class PatroniTopology(Model):
    """Who the primary is comes from Patroni's REST API (`/cluster`), asked at fault time.

    `password` is a test-only credential; it is never shown (SecretStr redacts it).
    """

    kind: Literal["patroni"]
    replication: Literal["async", "sync"] = "async"
    rest_port: int = Field(default=8008, ge=1, le=65535)
    pg_port: int = Field(default=5432, ge=1, le=65535)
    entry: EntrySpec
    database: str = "postgres"
    user: str = "postgres"
    password: SecretStr


class StackSpec(Model):
    """A declared HA topology: named nodes with roles, and how to find the primary at run time."""

    name: str
    description: str = ""
    image: str | None = None
    nodes: dict[str, NodeSpec]
    topology: RedisSentinelTopology | RabbitMQTopology | PatroniTopology | StaticTopology = Field(
        default_factory=lambda: StaticTopology(kind="static"), discriminator="kind"
    )
    ready_timeout_s: float = Field(default=30.0, gt=0, le=600)
    links: dict[str, LinkSpec] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _name_ok(cls, name: str) -> str:
        if not NAME_RE.match(name):
            raise ValueError(f"name {name!r} must be lower-case letters, digits and '-'")
        return name

    @field_validator("nodes")
    @classmethod
    def _nodes_ok(cls, nodes: dict[str, NodeSpec]) -> dict[str, NodeSpec]:
        if not nodes:
            raise ValueError("a stack needs at least one node")
        for name in nodes:
            if not NAME_RE.match(name):
                raise ValueError(f"node name {name!r} must be lower-case letters, digits and '-'")
        return nodes

    @model_validator(mode="after")
    def _images_known(self) -> StackSpec:
        missing = [n for n, spec in self.nodes.items() if not (spec.image or self.image)]
        if missing:
            raise ValueError(f"node {missing[0]!r} has no image and the stack sets no default")
        return self

    @model_validator(mode="after")
    def _dependencies_known(self) -> StackSpec:
        for name, spec in self.nodes.items():
            for dep in spec.depends_on:
                if dep not in self.nodes:
                    raise ValueError(f"node {name!r} depends on unknown node {dep!r}")
        self.start_waves()  # raises on a cycle
        return self

    @model_validator(mode="after")
    def _links_ok(self) -> StackSpec:
        ports: dict[int, str] = {}
        for name, link in self.links.items():
            if not NAME_RE.match(name):
                raise ValueError(f"link name {name!r} must be lower-case letters, digits and '-'")
            if name in self.nodes:
                raise ValueError(f"link {name!r} has the same name as a node")
            if link.upstream_node not in self.nodes:
                raise ValueError(f"link {name!r} goes to unknown node {link.upstream_node!r}")
            if link.listen in ports:
                raise ValueError(
                    f"links {ports[link.listen]!r} and {name!r} both listen on {link.listen}"
                )
            ports[link.listen] = name
        return self

    def start_waves(self) -> list[list[str]]:
        """Nodes grouped into waves: each wave's dependencies are all in earlier waves."""
        done: set[str] = set()
        waves: list[list[str]] = []
        while len(done) < len(self.nodes):
            wave = [
                n
                for n, s in self.nodes.items()
                if n not in done and all(d in done for d in s.depends_on)
            ]
            if not wave:
                cyclic = sorted(set(self.nodes) - done)
                raise ValueError(f"depends_on has a cycle among {', '.join(cyclic)}")
            waves.append(wave)
            done.update(wave)
        return waves

    def image_of(self, node: str) -> str:
        """The image a node runs."""
        image = self.nodes[node].image or self.image
        assert image is not None  # guaranteed by _images_known
        return image

    def nodes_with_role(self, role: Role) -> list[str]:
        """Names of the nodes declared with `role`, in spec order."""
        return [n for n, spec in self.nodes.items() if spec.role == role]
