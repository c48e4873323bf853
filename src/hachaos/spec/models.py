"""Typed models of stack and scenario files: parsed once at the edge, frozen afterwards.

Every name a file gives (stack, scenario, node, link, group, alias) is a `Name`: 1 to 63
lower-case ASCII letters, digits and '-', starting and ending with a letter or digit, matched
in full. It is a DNS label, so it is a valid hostname, container name part and file name on
any filesystem, and it can never steer a path: no '/', no '..', no leading '.', no newline.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Literal, TypeGuard

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    StrictInt,
    StrictStr,
    field_validator,
    model_validator,
)

from hachaos.spec.hosts import ServiceSpec, SshSpec, check_host

NAME_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
ENV_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
SQL_NAME_RE = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"
UPSTREAM_RE = re.compile(r"(?P<node>[^:]+):(?P<port>[0-9]{1,5})")
MAX_NODES = 64
MAX_PATH = 4096
MAX_REGEX = 1000


class SpecError(ValueError):
    """A validation error about a part of the model: `loc` is the key path below the model
    that raised it, so the loader can place it on that key's line."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


def short(value: object, limit: int = 60) -> str:
    """`repr(value)`, cut to `limit` characters so a hostile value cannot flood the output."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_name(value: object) -> TypeGuard[str]:
    """True when `value` is a valid `Name` (full match)."""
    return isinstance(value, str) and NAME_RE.fullmatch(value) is not None


def _name(value: str) -> str:
    if not is_name(value):
        raise ValueError(
            f"name {short(value)} must be 1-63 lower-case letters, digits and '-' "
            "(a letter or digit at both ends)"
        )
    return value


def _env_name(value: str) -> str:
    if ENV_NAME_RE.fullmatch(value) is None:
        raise ValueError(
            f"environment variable name {short(value)} must match [A-Za-z_][A-Za-z0-9_]*"
        )
    return value


def _file_path(path: str) -> str:
    """An absolute, normalised file path: no '..', '.', '//' or trailing '/'."""
    ok = path.startswith("/") and posixpath.normpath(path) == path and not path.startswith("//")
    if not ok or path == "/" or ".." in path.split("/") or len(path) > MAX_PATH:
        raise ValueError(
            f"file path {short(path)} must be an absolute, normalised path to a file "
            "(no '..', '.', '//' or trailing '/')"
        )
    return path


def _regex(pattern: str) -> str:
    """A short regular expression that compiles."""
    if len(pattern) > MAX_REGEX:
        raise ValueError(f"a regular expression is at most {MAX_REGEX} characters")
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


Name = Annotated[str, AfterValidator(_name)]
Regex = Annotated[str, AfterValidator(_regex)]
EnvName = Annotated[str, AfterValidator(_env_name)]
FilePath = Annotated[str, AfterValidator(_file_path)]
Port = Annotated[int, Field(ge=1, le=65535)]


def duplicates(values: Iterable[object]) -> list[int]:
    """Indexes of values already seen earlier in `values`."""
    seen: set[object] = set()
    dups = []
    for i, value in enumerate(values):
        if value in seen:
            dups.append(i)
        seen.add(value)
    return dups


class Model(BaseModel):
    """Base for every spec model: unknown keys are errors, instances are immutable, numbers
    are finite."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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
    """A container port the runner reaches: pinned to 127.0.0.1:`host`, or with `host` None where
    the backend chooses (an ephemeral host port, or the node's own address when the runner
    routes to it; see hachaos.backends.docker.reach)."""

    container: Port
    host: Port | None = None


class ReadyCheck(Model):
    """One readiness check: exactly one of `tcp` (port), `exec` (command) or `log` (regex)."""

    tcp: Port | None = None
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
            _regex_ok(self.log)
        return self


def _regex_ok(pattern: str) -> None:
    """A short regular expression that compiles."""
    if len(pattern) > MAX_REGEX:
        raise SpecError(("log",), f"'log' is longer than {MAX_REGEX} characters")
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise SpecError(("log",), f"'log' is not a valid regular expression: {exc}") from None


class NodeSpec(Model):
    """One member of a stack: its role, image, command, ports, files and readiness checks."""

    role: Role
    image: str | None = None
    command: tuple[str, ...] | None = None
    env: dict[EnvName, str] = Field(default_factory=dict)
    ports: tuple[int | PortSpec, ...] = ()
    files: dict[FilePath, str] = Field(default_factory=dict)
    ready: tuple[ReadyCheck, ...] = ()
    group: Name | None = None
    depends_on: tuple[Name, ...] = ()  # nodes that must be ready before this one starts
    aliases: tuple[Name, ...] = ()  # extra in-network names besides the node name
    # an existing deployment (`backend: hosts`): where the node runs and what its service is
    host: Annotated[str, AfterValidator(check_host)] | None = None  # testinfra connection string
    identity_file: str | None = Field(default=None, min_length=1, max_length=MAX_PATH)
    address: str | None = Field(default=None, pattern=r"^[A-Za-z0-9.:_-]{1,253}$")
    service: ServiceSpec | None = None

    @field_validator("ports")
    @classmethod
    def _ports_ok(cls, ports: tuple[int | PortSpec, ...]) -> tuple[int | PortSpec, ...]:
        for i, port in enumerate(ports):
            if isinstance(port, int) and not 1 <= port <= 65535:
                raise SpecError((i,), f"port {port} is not in 1..65535")
        dups = duplicates(p.container if isinstance(p, PortSpec) else p for p in ports)
        if dups:
            raise SpecError((dups[0],), "the same container port is listed twice")
        return ports

    def port_specs(self) -> tuple[PortSpec, ...]:
        """Ports normalised to PortSpec."""
        return tuple(p if isinstance(p, PortSpec) else PortSpec(container=p) for p in self.ports)


class LinkSpec(Model):
    """A path to a service that runs through Toxiproxy.

    In-stack clients reach it as `<link name>:<listen>`, the runner through the proxy's published
    port; the proxy forwards to `upstream` (`node:port`).
    """

    upstream: str
    listen: Port

    @field_validator("upstream")
    @classmethod
    def _host_port(cls, upstream: str) -> str:
        match = UPSTREAM_RE.fullmatch(upstream)
        if match is None or not is_name(match["node"]) or not 0 < int(match["port"]) < 65536:
            raise ValueError(f"upstream must be 'node:port', got {short(upstream)}")
        return upstream

    @property
    def upstream_node(self) -> str:
        """The node the link forwards to."""
        return self.upstream.rpartition(":")[0]


class RedisSentinelTopology(Model):
    """Who the master is comes from the Sentinels, asked at fault time."""

    kind: Literal["redis-sentinel"]
    replication: Literal["async"] = "async"  # Redis replication is always asynchronous
    master_name: str = Field(default="mymaster", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    data_port: Port = 6379
    sentinel_port: Port = 26379


class RabbitMQTopology(Model):
    """RabbitMQ roles from the cluster: `primary` is the quorum queue's leader, asked at fault
    time; `queue` is the quorum queue probes and ledgers publish to. `user` / `password` are
    the broker's credentials as configured (RabbitMQ's default account unless the stack creates
    another), so a composing stack can hand them to its clients (`${mq.topology.password}`)."""

    kind: Literal["rabbitmq"]
    queue: str = Field(default="hachaos", min_length=1, max_length=200)
    amqp_port: Port = 5672
    user: str = Field(default="guest", min_length=1, max_length=200)
    password: SecretStr = SecretStr("guest")

    def derived_roles(self) -> frozenset[Role]:
        """Roles held at run time without being declared on a node: the queue's leader
        (`primary`, alias `master`) and its followers (`replica`)."""
        return frozenset({Role.PRIMARY, Role.MASTER, Role.REPLICA})


class StaticTopology(Model):
    """Roles are exactly as declared in the spec (no runtime discovery)."""

    kind: Literal["static"]


class ApplianceTopology(Model):
    """An active/passive appliance pair: who is primary is asked of each node's own
    `status_command` (e.g. `appliance status`, printing `role: ...` and `mode: ...` lines) at
    fault time, since promotion is an operator command and roles change during a scenario."""

    kind: Literal["appliance"]
    replication: Literal["async"] = "async"  # streaming replication; promotion is manual
    status_command: tuple[str, ...] = Field(default=("appliance", "status"), min_length=1)

    def derived_roles(self) -> frozenset[Role]:
        """Primary and replica move between the appliance nodes at run time."""
        return frozenset({Role.PRIMARY, Role.REPLICA})


class QuorumTopology(Model):
    """Servers that each accept writes while they are part of a quorum of their peers (one
    consensus member per server): no single primary, so the two-primaries check does not apply
    (a write acknowledged while the design predicts an outage is the split brain to look for,
    via an `expect: unavailable` window). Nodes of role `members` are the quorum's members; each
    answers `GET health_path` on `health_port` with 200 while it would accept a write.

    Claim checked at steady state: every member sees all declared members as voting members of
    one cluster (`etcdctl member list`). After a fault the stack has re-formed when every member
    is healthy again."""

    kind: Literal["quorum"]
    members: Role = Role.APP
    health_port: Port = 8080
    health_path: str = Field(default="/healthz", pattern=r"^/[!-~]*$", max_length=200)

    @property
    def multi_writer(self) -> bool:
        """Every member acknowledges writes at once, by design."""
        return True


class EntrySpec(Model):
    """The client entry point of a stack: a node and the in-stack port clients connect to."""

    node: Name
    port: Port


class PatroniTopology(Model):
    """Who the primary is comes from Patroni's REST API (`/cluster`), asked at fault time.

    `password` is a test-only credential; it is never shown (SecretStr redacts it).
    """

    kind: Literal["patroni"]
    replication: Literal["async", "sync"] = "async"
    rest_port: Port = 8008
    pg_port: Port = 5432
    entry: EntrySpec
    database: str = Field(default="postgres", pattern=SQL_NAME_RE)
    user: str = Field(default="postgres", pattern=SQL_NAME_RE)
    password: SecretStr


class IncludeSpec(Model):
    """One included stack file, found by name like a scenario's `stack:` (never a path)."""

    stack: Name


TLS_DIR = "/etc/hachaos/tls"  # where a `tls` node finds the run's certificate, key and CA
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
HOST_NAME_RE = re.compile(rf"(?=.{{1,253}}\Z){_LABEL}(?:\.{_LABEL})*")


def _tls_name(value: str) -> str:
    """A DNS host name (lower case, dotted labels) or an IP address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        if HOST_NAME_RE.fullmatch(value) is None:
            raise ValueError(
                f"{short(value)} is neither a DNS host name (lower-case dotted labels) "
                "nor an IP address"
            ) from None
    return value


RUNNER_ADDRESS = "127.0.0.1"  # where the runner reaches ports published on the host


class TlsSpec(Model):
    """A per-run certificate authority and one server certificate, placed into `nodes` before
    they start (see hachaos.tls: paths under `TLS_DIR`).

    The certificate is valid for `names` (DNS names or IPs; default: the nodes' names and
    `localhost`) and always for 127.0.0.1, where the runner reaches published ports.
    """

    nodes: tuple[Name, ...] = Field(min_length=1, max_length=MAX_NODES)
    names: tuple[Annotated[str, AfterValidator(_tls_name)], ...] = Field(default=(), max_length=100)

    def subject_names(self) -> tuple[str, ...]:
        """Every name the server certificate is issued for, in order, without repeats."""
        names = self.names or (*self.nodes, "localhost")
        return tuple(dict.fromkeys((*names, RUNNER_ADDRESS)))

    @field_validator("nodes")
    @classmethod
    def _unique(cls, nodes: tuple[str, ...]) -> tuple[str, ...]:
        dups = duplicates(nodes)
        if dups:
            raise SpecError((dups[0],), f"node {nodes[dups[0]]!r} is listed twice")
        return nodes


class StackSpec(Model):
    """A declared HA topology: named nodes with roles, and how to find the primary at run time.

    Cross-node checks raise SpecError with the key path they are about, so each is reported on
    the line of the offending key.

    A composed stack `include`s other stack files under namespaces. The loader (see
    `hachaos.spec.compose`) merges their nodes and links into `nodes` / `links` (node names
    are global: the included files' own configuration names them) and keeps each included
    stack, whole and with its topology, in `parts` under its namespace, so its roles ("the
    Patroni primary") stay resolvable: `RunningStack.part(namespace)`.
    """

    name: Name
    description: str = ""
    image: str | None = None
    include: dict[Name, IncludeSpec] = Field(default_factory=dict, max_length=16)
    parts: dict[Name, StackSpec] = Field(default_factory=dict, exclude=True)
    nodes: dict[Name, NodeSpec] = Field(min_length=1, max_length=MAX_NODES)
    topology: (
        RedisSentinelTopology
        | RabbitMQTopology
        | PatroniTopology
        | ApplianceTopology
        | QuorumTopology
        | StaticTopology
    ) = Field(default_factory=lambda: StaticTopology(kind="static"), discriminator="kind")
    ready_timeout_s: float = Field(default=30.0, gt=0, le=600)
    links: dict[Name, LinkSpec] = Field(default_factory=dict, max_length=MAX_NODES)
    tls: TlsSpec | None = None
    # set when a parametrised stack is expanded (hachaos.spec.expand), never in a file
    parameter_values: dict[str, StrictInt | StrictStr] = Field(default_factory=dict)
    backend: Literal["docker", "hosts"] | None = None  # None: the run's --hachaos-backend
    toxiproxy: AnyHttpUrl | None = None  # hosts: the user's own Toxiproxy serving the links
    ssh: SshSpec | None = None  # hosts: identity file, known_hosts, connect timeout

    @property
    def on_hosts(self) -> bool:
        """True for a stack describing an existing deployment (`backend: hosts`)."""
        return self.backend == "hosts"

    @property
    def toxiproxy_url(self) -> str | None:
        """The configured Toxiproxy API URL without a trailing '/', if any."""
        return str(self.toxiproxy).rstrip("/") if self.toxiproxy is not None else None

    @model_validator(mode="after")
    def _deployment_fields(self) -> StackSpec:
        check = hosts_findings if self.on_hosts else docker_findings
        for loc, message in check(self):
            raise SpecError(loc, message)
        return self

    @model_validator(mode="after")
    def _images_known(self) -> StackSpec:
        if self.on_hosts:
            return self
        missing = [n for n, spec in self.nodes.items() if not (spec.image or self.image)]
        if missing:
            raise SpecError(
                ("nodes", missing[0]), "node has no image and the stack sets no default 'image'"
            )
        return self

    @model_validator(mode="after")
    def _dependencies_known(self) -> StackSpec:
        for name, spec in self.nodes.items():
            for i, dep in enumerate(spec.depends_on):
                if dep not in self.nodes:
                    raise SpecError(("nodes", name, "depends_on", i), f"unknown node {dep!r}")
        self.start_waves()  # raises on a cycle
        return self

    @model_validator(mode="after")
    def _host_ports_unique(self) -> StackSpec:
        owners: dict[int, str] = {}
        for name, spec in self.nodes.items():
            for i, port in enumerate(spec.port_specs()):
                if port.host is not None and port.host in owners:
                    where = ("nodes", name, "ports", i, "host")
                    raise SpecError(
                        where, f"host port {port.host} is also published by {owners[port.host]!r}"
                    )
                if port.host is not None:
                    owners[port.host] = name
        return self

    @model_validator(mode="after")
    def _members_known(self) -> StackSpec:
        role = getattr(self.topology, "members", None)
        if role is not None and not self.nodes_with_role(role):
            where = ("topology", "members")
            raise SpecError(where, f"no node has role '{role.value}' (the quorum's members)")
        return self

    @model_validator(mode="after")
    def _entry_known(self) -> StackSpec:
        entry = getattr(self.topology, "entry", None)
        if entry is not None and entry.node not in self.nodes:
            where = ("topology", "entry", "node")
            raise SpecError(where, f"unknown node {entry.node!r} ({', '.join(self.nodes)})")
        return self

    @model_validator(mode="after")
    def _links_ok(self) -> StackSpec:
        ports: dict[int, str] = {}
        for name, link in self.links.items():
            if name in self.nodes:
                raise SpecError(("links", name), "a link has the same name as a node")
            if link.upstream_node not in self.nodes:
                where = ("links", name, "upstream")
                raise SpecError(where, f"unknown node {link.upstream_node!r}")
            if link.listen in ports:
                where = ("links", name, "listen")
                raise SpecError(
                    where, f"link {ports[link.listen]!r} already listens on {link.listen}"
                )
            ports[link.listen] = name
        return self

    @model_validator(mode="after")
    def _tls_ok(self) -> StackSpec:
        if self.tls is None:
            return self
        for i, node in enumerate(self.tls.nodes):
            if node not in self.nodes:
                known = ", ".join(self.nodes)
                raise SpecError(("tls", "nodes", i), f"unknown node {node!r} ({known})")
            for path in self.nodes[node].files:
                if path.startswith(TLS_DIR + "/"):
                    raise SpecError(
                        ("nodes", node, "files", path),
                        f"{TLS_DIR} of a 'tls' node is written by the runner",
                    )
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
                where = ("nodes", cyclic[0], "depends_on")
                raise SpecError(where, f"depends_on has a cycle among {', '.join(cyclic)}")
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

    def part_of(self, node: str) -> str | None:
        """The namespace of the included stack that declares `node` (None: this stack's own)."""
        return next((ns for ns, part in self.parts.items() if node in part.nodes), None)

    def own(self) -> StackSpec:
        """This stack without its included parts: its own nodes and links, its own topology."""
        if not self.parts:
            return self
        part_nodes = {n for part in self.parts.values() for n in part.nodes}
        part_links = {n for part in self.parts.values() for n in part.links}
        nodes = {n: s for n, s in self.nodes.items() if n not in part_nodes}
        links = {n: s for n, s in self.links.items() if n not in part_links}
        return self.model_copy(update={"nodes": nodes, "links": links, "parts": {}})


BOOT_ONLY = ("image", "command", "env", "files", "depends_on", "aliases")
HOSTS_ONLY = ("host", "identity_file", "address", "service")


def hosts_findings(stack: StackSpec) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """A hosts stack describes what exists: every node has a host and a service, and nothing
    that only a booting backend would use; links need the user's Toxiproxy."""
    for key in ("image", "tls", "include"):
        if getattr(stack, key):
            yield (key,), f"'{key}' is not used on a hosts stack (nothing is booted)"
    for name, node in stack.nodes.items():
        for key in BOOT_ONLY:
            if getattr(node, key):
                yield (
                    ("nodes", name, key),
                    f"'{key}' is not used on a hosts stack: the node's service is already deployed",
                )
        for key in ("host", "service"):
            if getattr(node, key) is None:
                yield ("nodes", name), f"missing required key 'nodes.{name}.{key}' (hosts stack)"
        for i, port in enumerate(node.ports):
            if isinstance(port, PortSpec) and port.host is not None:
                yield ("nodes", name, "ports", i), "a hosts stack publishes nothing: list ports"
    if stack.links and stack.toxiproxy is None:
        yield ("links",), "links on a hosts stack need 'toxiproxy: URL' (your Toxiproxy)"


def docker_findings(stack: StackSpec) -> Iterable[tuple[tuple[str | int, ...], str]]:
    """A booted stack has no host settings (they describe an existing deployment)."""
    for key in ("toxiproxy", "ssh"):
        if getattr(stack, key) is not None:
            yield (key,), f"'{key}' only goes with 'backend: hosts'"
    for name, node in stack.nodes.items():
        for key in HOSTS_ONLY:
            if getattr(node, key) is not None:
                yield ("nodes", name, key), f"'{key}' only goes with 'backend: hosts'"
