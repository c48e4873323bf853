"""Workload models: client traffic during the fault, discriminated by `type`.

Add new workload types to WorkloadSpec (and a builder to `hachaos.workloads.factory`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hachaos.spec.http import HttpClientSpec
from hachaos.spec.models import EntrySpec, Model, Name


class LedgerBase(Model):
    """An acknowledged-writes ledger: `writers` concurrent clients each writing a unique key
    every `interval_ms` (0: as fast as the system answers), each attempt bounded by
    `timeout_ms`, read back after healing within `final_read_timeout_s`. The default (4 writers)
    acknowledges enough writes around a failover that a last-second loss shows up."""

    writers: int = Field(default=4, ge=1, le=64)
    interval_ms: int = Field(default=20, ge=0, le=10000)
    timeout_ms: int = Field(default=1000, ge=10, le=30000)
    final_read_timeout_s: float = Field(default=60.0, gt=0, le=600)
    min_acknowledged: int = Field(default=10, ge=1, le=1_000_000)


class PostgresLedgerSpec(LedgerBase):
    """INSERT through the stack's client entry point; acknowledged at COMMIT."""

    type: Literal["postgres-ledger"]


class RedisLedgerSpec(LedgerBase):
    """SET through the Sentinel-aware client; read back with SCAN on the master. `discovery:
    every-write` asks the Sentinels before each write (as the probe
    `redis-sentinel-discovery-write`) instead of keeping the master connection."""

    type: Literal["redis-ledger"]
    discovery: Literal["cached", "every-write"] = "cached"
    sentinel_timeout_ms: int = Field(default=100, ge=10, le=5000)


class RabbitMQLedgerSpec(LedgerBase):
    """Confirmed publishes to the rabbitmq topology's quorum queue; read back by draining it."""

    type: Literal["rabbitmq-ledger"]


class HttpLedgerSpec(LedgerBase, HttpClientSpec):
    """POST unique keys to the items API on `target` (acknowledged on 201, after COMMIT); read
    back with `GET /items?prefix=` on `read_target` (default `target`, e.g. the load balancer
    once it points at the new primary)."""

    type: Literal["http-ledger"]
    read_target: EntrySpec | None = None

    def node_refs(self) -> dict[tuple[str, ...], str]:
        """Every node this workload names, by its key path."""
        refs = super().node_refs()
        if self.read_target is not None:
            refs[("read_target", "node")] = self.read_target.node
        return refs


class BuildLedgerSpec(Model):
    """The build ledger: after healing, every build the `build` probe got a 201 for must be
    finished exactly once within `final_read_timeout_s`. Read from the platform's Postgres,
    the included Patroni stack named by `database` (its namespace), through its entry point.
    It writes nothing itself: the probe's enqueues are the writes."""

    type: Literal["build-ledger"]
    database: Name = "pg"
    final_read_timeout_s: float = Field(default=60.0, gt=0, le=600)
    min_acknowledged: int = Field(default=10, ge=1, le=1_000_000)


class LoadRequest(Model):
    """One kind of request the load makes; `weight` is its share of all requests."""

    method: Literal["GET", "POST"] = "GET"
    path: str = Field(default="/", pattern=r"^/[!-~]*$", max_length=2000)
    body: dict[str, str | int | float | bool] | None = None  # sent as JSON
    weight: int = Field(default=1, ge=1, le=1000)


class HttpLoadSpec(Model):
    """HTTP load on `target` with locust (in a process of its own): `users` concurrent users,
    started at `spawn_rate` per second, each making one of `requests` then pausing `wait_ms`.
    Its error rate and p99 per window (before, during, after) join the verdict."""

    type: Literal["http-load"]
    target: EntrySpec
    scheme: Literal["http", "https"] = "http"
    users: int = Field(default=10, ge=1, le=500)
    spawn_rate: float = Field(default=10.0, gt=0, le=500)
    wait_ms: int = Field(default=100, ge=0, le=60_000)
    timeout_ms: int = Field(default=5000, ge=10, le=60_000)
    requests: tuple[LoadRequest, ...] = Field(min_length=1, max_length=20)


LedgerSpec = PostgresLedgerSpec | RedisLedgerSpec | RabbitMQLedgerSpec | HttpLedgerSpec

WorkloadSpec = Annotated[
    PostgresLedgerSpec | RedisLedgerSpec | RabbitMQLedgerSpec | HttpLedgerSpec | BuildLedgerSpec,
    Field(discriminator="type"),
]
