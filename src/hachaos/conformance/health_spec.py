"""The `health` entries of a profile: which replication and quorum checks apply, with their
parameters (one model per kind of system, told apart by `kind`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from hachaos.conformance.fields import Argv, RoleKey
from hachaos.spec.models import Model, Name, Port, Regex, SpecError


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
