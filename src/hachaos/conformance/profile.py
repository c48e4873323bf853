"""A conformance profile: what an HA install of a product must look like, as data.

A profile is a YAML file (`fixtures/profiles/NAME.yaml`), validated like stack files (unknown
keys and wrong types are `file:line` errors), so a user describes their own product without
Python: the ports each role listens on and must reach, the hardware minimums, where workers
keep their settings, which replication and quorum checks apply, where backups live, and the
container runtime it supports. Roles are the stack's roles (`hachaos.spec.models.Role`); a
role key `NS.ROLE` narrows one to the nodes of the stack included as NS (or of the stack
itself when NS is its own name).
"""

from __future__ import annotations

import posixpath
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from hachaos.spec.models import (
    NAME_RE,
    FilePath,
    Model,
    Name,
    Port,
    Role,
    SpecError,
    StackSpec,
    short,
)

MAX_REGEX = 1000
Ports = tuple[Port, ...]


def _abs_path(path: str) -> str:
    """An absolute, normalised path ('/' allowed): a mount point to measure."""
    if not path.startswith("/") or posixpath.normpath(path) != path or path.startswith("//"):
        raise ValueError(f"path {short(path)} must be absolute and normalised")
    return path


def _glob_path(path: str) -> str:
    """An absolute path that may hold `*` / `?` wildcards and `{node}`; no '..'."""
    bad = not path.startswith("/") or ".." in path.split("/") or len(path) > 4096
    if bad or any(c.isspace() for c in path):
        raise ValueError(f"path {short(path)} must be absolute, without '..' or whitespace")
    return path


def _regex(pattern: str) -> str:
    if len(pattern) > MAX_REGEX:
        raise ValueError(f"regular expression longer than {MAX_REGEX} characters")
    try:
        re.compile(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return pattern


def _role_key(key: str) -> str:
    """`ROLE`, or `NAMESPACE.ROLE` for the nodes of that role in an included stack."""
    namespace, _, role = key.rpartition(".")
    roles = {r.value for r in Role}
    if role not in roles or (namespace and NAME_RE.fullmatch(namespace) is None):
        raise ValueError(
            f"{short(key)} is not a role ({', '.join(sorted(roles))}) or NAMESPACE.ROLE"
        )
    return key


def select(key: str, spec: StackSpec) -> list[str]:
    """Nodes a role key names: every node of the role; with `NS.`, those of the stack
    included as NS, or the stack's own nodes when NS is the stack's name."""
    namespace, _, role = key.rpartition(".")
    if not namespace:
        part: StackSpec | None = spec
    elif namespace == spec.name:
        part = spec.own()
    else:
        part = spec.parts.get(namespace)
    if part is None:
        return []
    return [n for n, s in part.nodes.items() if s.role.value == role and n in spec.nodes]


AbsPath = Annotated[str, AfterValidator(_abs_path)]
RoleKey = Annotated[str, AfterValidator(_role_key)]
GlobPath = Annotated[str, AfterValidator(_glob_path)]
Regex = Annotated[str, AfterValidator(_regex)]
Argv = Annotated[tuple[Annotated[str, Field(max_length=4096)], ...], Field(min_length=1)]
Setting = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")]


class Hardware(Model):
    """Minimums per node: the platform's HA prerequisites by default (8 CPUs, 16 GiB memory,
    40 GB disk at `disk_path`)."""

    cpus: int = Field(default=8, ge=1, le=4096)
    memory_gib: float = Field(default=16, gt=0, le=1 << 20)
    disk_gb: float = Field(default=40, gt=0, le=1e9)  # decimal GB, as the manuals write it
    disk_path: AbsPath = "/"


class HardwareOverride(Model):
    """A role's own minimums; what it leaves out comes from the profile's `hardware`."""

    cpus: int | None = Field(default=None, ge=1, le=4096)
    memory_gib: float | None = Field(default=None, gt=0, le=1 << 20)
    disk_gb: float | None = Field(default=None, gt=0, le=1e9)
    disk_path: AbsPath | None = None

    def over(self, base: Hardware) -> Hardware:
        """`base` with this override's values."""
        return base.model_copy(update=self.model_dump(exclude_none=True))


class Reach(Model):
    """Ports of every node of `role` (a role key) that this role's nodes must be able to
    connect to."""

    role: RoleKey
    ports: Ports = Field(min_length=1)


class RoleRequirements(Model):
    """What one role's nodes must do: listen, reach others, have the hardware, and (in a
    container runtime) publish ports."""

    listen: Ports = ()
    reach: tuple[Reach, ...] = ()
    hardware: HardwareOverride | None = None
    published: Ports = ()  # documented port bindings (container port published on the host)


class SettingsSource(Model):
    """Where a worker keeps its settings: the environment of its main process (found by
    `pgrep -f PROCESS`, oldest match) or a file of `KEY=VALUE` / `key: value` lines."""

    # a regex; its first character a plain one, so pgrep can be kept from finding itself
    process: Annotated[str, Field(pattern=r"^[A-Za-z0-9/_]", max_length=200)] | None = None
    file: FilePath | None = None

    @model_validator(mode="after")
    def _one(self) -> SettingsSource:
        if (self.process is None) == (self.file is None):
            raise ValueError("give exactly one of 'process' or 'file'")
        return self


class BrokerAccount(Model):
    """The RabbitMQ account the worker's token must be the password of: checked against the
    broker's own stored password hash, so neither value is ever shown."""

    role: RoleKey = "rabbit"
    user: str | None = Field(default=None, min_length=1, max_length=200)
    user_setting: Setting | None = None  # or the worker setting that names the user

    @model_validator(mode="after")
    def _one(self) -> BrokerAccount:
        if (self.user is None) == (self.user_setting is None):
            raise ValueError("give exactly one of 'user' or 'user_setting'")
        return self


class Workers(Model):
    """Worker configuration: which settings must be set and agree with the cluster."""

    role: RoleKey = "worker"
    settings: SettingsSource
    build_endpoint: Setting
    platform_host: Setting
    pool_size: Setting
    token: Setting
    broker: BrokerAccount | None = None


class PostgresStreaming(Model):
    """One primary; every other node of `roles` a standby streaming from it, lag bounded."""

    kind: Literal["postgres-streaming"]
    roles: tuple[RoleKey, ...] = ("primary", "replica")
    max_lag_bytes: int = Field(default=16 * 1024 * 1024, ge=0)
    psql: Argv = ("psql", "-h", "/var/run/postgresql", "-U", "postgres")


class RedisSentinel(Model):
    """Replicas connected to one master; every Sentinel's `SENTINEL CKQUORUM` OK."""

    kind: Literal["redis-sentinel"]
    data_roles: tuple[RoleKey, ...] = ("master", "replica")
    sentinel_role: RoleKey = "sentinel"
    master_name: str = Field(default="mymaster", pattern=r"^[A-Za-z0-9._-]{1,64}$")
    data_port: Port = 6379
    sentinel_port: Port = 26379


class RabbitMQ(Model):
    """Every member running; the quorum queue with all members online; no node
    quorum-critical. `queue_required: false` skips (with the reason) a queue not declared yet."""

    kind: Literal["rabbitmq"]
    role: RoleKey = "rabbit"
    queue: str | None = Field(default=None, min_length=1, max_length=200)
    queue_required: bool = True
    vhost: str = Field(default="/", min_length=1, max_length=200)


class Etcd(Model):
    """Every member healthy and listed as started."""

    kind: Literal["etcd"]
    role: RoleKey = "etcd"
    etcdctl: Argv = ("etcdctl",)


class MemberCount(Model):
    """How the cluster reports its members: a command and the lines of it that are one."""

    run: Argv
    count: Regex


class QuorumSize(Model):
    """A quorum cluster of an allowed (odd) size: the nodes of `role`, and, with `members`,
    the members the cluster itself reports."""

    kind: Literal["quorum-size"]
    role: RoleKey
    sizes: tuple[Annotated[int, Field(ge=1, le=99)], ...] = Field(default=(1, 3, 5), min_length=1)
    members: MemberCount | None = None

    @model_validator(mode="after")
    def _odd(self) -> QuorumSize:
        even = [i for i, n in enumerate(self.sizes) if n % 2 == 0]
        if even:
            raise SpecError(("sizes", even[0]), "a quorum cluster needs an odd size")
        return self


class Command(Model):
    """A product's own health command on every node of `role`: it must exit 0 and, with
    `expect`, print a line matching it (e.g. a passive node reporting replication mode)."""

    kind: Literal["command"]
    name: Name
    role: RoleKey
    run: Argv
    expect: Regex | None = None
    fix: str = Field(min_length=1, max_length=500)


Health = Annotated[
    PostgresStreaming | RedisSentinel | RabbitMQ | Etcd | QuorumSize | Command,
    Field(discriminator="kind"),
]


class BackupStore(Model):
    """Where backups are kept, off the nodes they protect: a node of the stack, or any machine
    by its testinfra connection string (`local://` is the runner; `ssh://user@host`).
    `path` names the archives (wildcards and `{node}` allowed); the newest one is checked."""

    node: Name | None = None
    host: Annotated[str, Field(pattern=r"^[a-z]+://\S*$", max_length=500)] | None = None
    path: GlobPath

    @model_validator(mode="after")
    def _one(self) -> BackupStore:
        if (self.node is None) == (self.host is None):
            raise ValueError("give exactly one of 'node' or 'host'")
        return self


class Backup(Model):
    """Paths on every node of `role` that must have a backup off the node that restores:
    `verify: checksum` (restored files equal the live ones: keys, configuration) or
    `present` (restored and not empty: data directories that change)."""

    name: Name
    role: RoleKey
    paths: tuple[FilePath, ...] = Field(min_length=1)
    verify: Literal["checksum", "present"] = "present"
    store: BackupStore
    max_age_h: float | None = Field(default=None, gt=0)
    timeout_s: float = Field(default=120, gt=0, le=3600)  # the restore's deadline


class Runtime(Model):
    """The container runtime the product supports."""

    engines: tuple[str, ...] = Field(default=("docker",), min_length=1)
    min_version: Annotated[str, Field(pattern=r"^[0-9]+(\.[0-9]+){0,3}$")] = "20.10"
    storage_drivers: tuple[str, ...] = Field(default=("overlay2",), min_length=1)


class Profile(Model):
    """One product's conformance requirements, grouped by role. A `roles` key is a role, or
    `NAMESPACE.ROLE` for that role's nodes in an included stack (more specific: it wins)."""

    name: Name
    description: str = Field(default="", max_length=500)
    hardware: Hardware = Field(default_factory=Hardware)
    roles: dict[RoleKey, RoleRequirements] = Field(default_factory=dict)
    workers: Workers | None = None
    health: tuple[Health, ...] = ()
    backups: tuple[Backup, ...] = ()
    runtime: Runtime | None = None

    def key_of(self, node: str, spec: StackSpec) -> str | None:
        """The `roles` key whose requirements apply to `node` (`NS.ROLE` before `ROLE`)."""
        role = spec.nodes[node].role.value
        namespace = spec.part_of(node) or spec.name
        for key in (f"{namespace}.{role}", role):
            if key in self.roles:
                return key
        return None

    def nodes_for(self, key: str, spec: StackSpec) -> list[str]:
        """The nodes whose requirements are those under `key`."""
        return [n for n in spec.nodes if self.key_of(n, spec) == key]

    def requirements(self, node: str, spec: StackSpec) -> RoleRequirements:
        """The role requirements that apply to `node` (none: empty)."""
        key = self.key_of(node, spec)
        return self.roles[key] if key is not None else RoleRequirements()

    def hardware_for(self, node: str, spec: StackSpec) -> Hardware:
        """The minimums for `node`: its role's override over the profile's defaults."""
        override = self.requirements(node, spec).hardware
        return override.over(self.hardware) if override else self.hardware
