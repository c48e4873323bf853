"""Probe models: one per probe type, discriminated by `type`. Add new types to ProbeSpec."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hachaos.spec.http import HttpClientSpec
from hachaos.spec.models import EntrySpec, Model


class ProbeBase(Model):
    """Fields every probe shares: how often it runs and how long one attempt may take."""

    interval_ms: int = Field(default=50, ge=5, le=1000)
    timeout_ms: int = Field(default=500, ge=10, le=30000)


class RedisSentinelWriteProbeSpec(ProbeBase):
    """SET a unique key on the master the Sentinels name, one attempt each."""

    type: Literal["redis-sentinel-write"]


class RedisSentinelDiscoveryWriteProbeSpec(ProbeBase):
    """Before every SET, ask the Sentinels (in a rotating order, each within
    `sentinel_timeout_ms`) who the master is, then SET on that address: a dead Sentinel costs
    time, and fails the op only when no Sentinel answers."""

    type: Literal["redis-sentinel-discovery-write"]
    sentinel_timeout_ms: int = Field(default=100, ge=10, le=5000)


class TcpProbeSpec(ProbeBase):
    """Open a TCP connection to `target` (a node and in-stack port), one attempt each."""

    type: Literal["tcp"]
    target: EntrySpec


class HttpProbeSpec(ProbeBase):
    """GET `path` on `target`; ok when the status is `expect_status`. With `scheme: https`
    the server's certificate is verified against the run's CA (the stack's `tls`)."""

    type: Literal["http"]
    target: EntrySpec
    scheme: Literal["http", "https"] = "http"
    path: str = Field(default="/", pattern=r"^/[!-~]*$", max_length=2000)  # no spaces or controls
    expect_status: int = Field(default=200, ge=100, le=599)


class SqlProbeSpec(ProbeBase):
    """INSERT a unique key through the stack's client entry point (e.g. HAProxy), acknowledged
    at COMMIT; the acknowledging node is recorded so split brain shows up."""

    type: Literal["sql"]
    table: str = Field(default="hachaos_probe", pattern=r"^[a-z_][a-z0-9_]{0,62}$")


class AmqpPublishProbeSpec(ProbeBase):
    """Publish one persistent message with publisher confirms to the rabbitmq topology's
    quorum queue, through any running node; ok only on the broker's confirm."""

    type: Literal["amqp-publish"]


class HttpWriteProbeSpec(ProbeBase, HttpClientSpec):
    """POST a unique key per attempt to the items API on `target`; ok only on 201 (committed).
    The acknowledging node is recorded so two primaries acknowledging show up."""

    type: Literal["http-write"]


class HttpReadProbeSpec(ProbeBase, HttpClientSpec):
    """GET, per attempt, one key written when the clients are set up (through `write_target`,
    default `target`); ok on 200."""

    type: Literal["http-read"]
    write_target: EntrySpec | None = None

    def node_refs(self) -> dict[tuple[str, ...], str]:
        """Every node this probe names, by its key path."""
        refs = super().node_refs()
        if self.write_target is not None:
            refs[("write_target", "node")] = self.write_target.node
        return refs


class BuildProbeSpec(ProbeBase):
    """Enqueue one build (POST /builds) through `target` (the platform's load balancer) every
    `interval_ms` (at most 100); ok only on 201. The build ledger matches the platform's
    records to these ops by request id. With `scheme: https` the load balancer's certificate
    is verified against the run's CA (the stack's `tls`)."""

    type: Literal["build"]
    target: EntrySpec
    scheme: Literal["http", "https"] = "http"
    interval_ms: int = Field(default=100, ge=5, le=100)
    timeout_ms: int = Field(default=2000, ge=10, le=30000)


ProbeSpec = Annotated[
    RedisSentinelWriteProbeSpec
    | RedisSentinelDiscoveryWriteProbeSpec
    | TcpProbeSpec
    | HttpProbeSpec
    | SqlProbeSpec
    | AmqpPublishProbeSpec
    | HttpWriteProbeSpec
    | HttpReadProbeSpec
    | BuildProbeSpec,
    Field(discriminator="type"),
]
