"""Builds the probe a scenario names, wired to the running stack: one builder per type."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.clients.amqp import AmqpPublisher
from hachaos.clients.http import JsonHttpClient
from hachaos.clients.postgres import PgSession
from hachaos.errors import HachaosError
from hachaos.probes.amqp import AmqpPublishProbe
from hachaos.probes.base import Probe
from hachaos.probes.build import BuildProbe
from hachaos.probes.http import HttpGetProbe
from hachaos.probes.http_items import HttpReadProbe, HttpWriteProbe
from hachaos.probes.http_wiring import endpoint_of, http_client, put_item, tls_config
from hachaos.probes.redis_discovery import RedisDiscoveryWriteProbe
from hachaos.probes.redis_sentinel import RedisSentinelWriteProbe
from hachaos.probes.sql import SqlInsertProbe, table_ddl
from hachaos.probes.tcp import TcpConnectProbe
from hachaos.running import RunningStack
from hachaos.spec.models import EntrySpec, RabbitMQTopology, RedisSentinelTopology
from hachaos.spec.probes import (
    BuildProbeSpec,
    HttpProbeSpec,
    HttpReadProbeSpec,
    HttpWriteProbeSpec,
    ProbeSpec,
    RedisSentinelDiscoveryWriteProbeSpec,
    SqlProbeSpec,
    TcpProbeSpec,
)
from hachaos.tls.client import run_tls_config
from hachaos.topology.patroni import entry_target
from hachaos.topology.rabbitmq import amqp_endpoints
from hachaos.topology.redis_sentinel import discovery_for, sentinel_for

ProbeBuilder = Callable[[ProbeSpec, RunningStack, str], Probe]


def _redis_sentinel_write(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    topo = stack.topology_as(RedisSentinelTopology, "probe redis-sentinel-write")
    sentinel = sentinel_for(stack, timeout_s=spec.timeout_ms / 1000)
    return RedisSentinelWriteProbe(sentinel, topo.master_name, prefix, node_name=node_namer(stack))


def _redis_discovery_write(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    assert isinstance(spec, RedisSentinelDiscoveryWriteProbeSpec)
    discovery = discovery_for(stack, spec.sentinel_timeout_ms / 1000)
    return RedisDiscoveryWriteProbe(discovery, prefix, spec.timeout_ms / 1000, node_namer(stack))


def _endpoint(stack: RunningStack, target: EntrySpec) -> tuple[str, int]:
    if target.node not in stack.nodes:
        raise HachaosError(f"probe target names unknown node '{target.node}'")
    try:
        return stack.node(target.node).address().host_port(target.port)
    except KeyError:
        raise HachaosError(f"port {target.port} of node '{target.node}' is not published") from None


def _tcp(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    assert isinstance(spec, TcpProbeSpec)
    host, port = _endpoint(stack, spec.target)
    return TcpConnectProbe(host, port, spec.timeout_ms / 1000)


def _scheme_client(
    stack: RunningStack, target: EntrySpec, scheme: str, timeout_s: float
) -> JsonHttpClient:
    tls = run_tls_config(stack, target.node) if scheme == "https" else None
    return JsonHttpClient(endpoint_of(stack, target), timeout_s, tls)


def _build(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    assert isinstance(spec, BuildProbeSpec)
    client = _scheme_client(stack, spec.target, spec.scheme, spec.timeout_ms / 1000)
    return BuildProbe(client, f"{prefix}:build")


def _http(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    assert isinstance(spec, HttpProbeSpec)
    client = _scheme_client(stack, spec.target, spec.scheme, spec.timeout_ms / 1000)
    return HttpGetProbe(client, spec.path, expect_status=spec.expect_status)


def node_namer(stack: RunningStack) -> Callable[[str], str]:
    """Maps an in-stack IP to its node's name (cached; the IP itself when unknown)."""
    cache: dict[str, str] = {}

    def name_of(ip: str) -> str:
        if ip not in cache:
            node = stack.node_at(ip)
            cache[ip] = node.name if node is not None else ip
        return cache[ip]

    return name_of


def _sql(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    assert isinstance(spec, SqlProbeSpec)
    session = PgSession(entry_target(stack), spec.timeout_ms / 1000, [table_ddl(spec.table)])
    return SqlInsertProbe(session, spec.table, prefix, node_namer(stack))


def _amqp_publish(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    queue = stack.topology_as(RabbitMQTopology, "probe amqp-publish").queue
    publisher = AmqpPublisher(amqp_endpoints(stack), queue, spec.timeout_ms / 1000)
    return AmqpPublishProbe(publisher, prefix)


SETUP_WRITE_TIMEOUT_S = 30.0


def _http_write(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    assert isinstance(spec, HttpWriteProbeSpec)
    return HttpWriteProbe(http_client(stack, spec, spec.timeout_ms / 1000), prefix)


def _http_read(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    """Writes the key it will read (through `write_target`) first, retried within a deadline."""
    assert isinstance(spec, HttpReadProbeSpec)
    timeout_s = spec.timeout_ms / 1000
    tls = tls_config(stack, spec)
    key = f"{prefix}:read"
    writer = http_client(stack, spec, timeout_s, spec.write_target, tls)
    put_item(writer, key, "read", SETUP_WRITE_TIMEOUT_S)
    return HttpReadProbe(http_client(stack, spec, timeout_s, tls=tls), key)


BUILDERS: dict[str, ProbeBuilder] = {
    "amqp-publish": _amqp_publish,
    "build": _build,
    "redis-sentinel-write": _redis_sentinel_write,
    "redis-sentinel-discovery-write": _redis_discovery_write,
    "tcp": _tcp,
    "http": _http,
    "sql": _sql,
    "http-write": _http_write,
    "http-read": _http_read,
}


def make_probe(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    """The probe for `spec.type` against `stack`."""
    try:
        builder = BUILDERS[spec.type]
    except KeyError:
        raise HachaosError(f"unknown probe type '{spec.type}'") from None
    return builder(spec, stack, prefix)
