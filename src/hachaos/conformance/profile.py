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

from typing import Annotated, Literal

from pydantic import Field, model_validator

from hachaos.conformance.fields import AbsPath, GlobPath, Ports, RoleKey, Setting
from hachaos.conformance.health_spec import Health
from hachaos.spec.models import FilePath, Model, Name, StackSpec


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
