"""Builds the ledger store a scenario's workload names, wired to the running stack."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.errors import HachaosError
from hachaos.probes.base import Probe
from hachaos.probes.factory import node_namer
from hachaos.probes.http_wiring import http_client, tls_config
from hachaos.probes.redis_discovery import RedisDiscoveryWriteProbe
from hachaos.running import RunningStack
from hachaos.spec.models import RabbitMQTopology, RedisSentinelTopology
from hachaos.spec.workloads import HttpLedgerSpec, LedgerSpec, RedisLedgerSpec
from hachaos.topology.patroni import entry_target
from hachaos.topology.rabbitmq import amqp_endpoints
from hachaos.topology.redis_sentinel import discovery_for, sentinel_for
from hachaos.workloads.http import HttpLedgerStore
from hachaos.workloads.ledger import LEDGER_PROCESS, LedgerStore, ledger_prefix
from hachaos.workloads.postgres import PostgresLedgerStore
from hachaos.workloads.rabbitmq import RabbitMQLedgerStore
from hachaos.workloads.redis import RedisLedgerStore

READ_TIMEOUT_S = 10.0  # one read-back lists every key: longer than a write

StoreBuilder = Callable[[LedgerSpec, RunningStack, str], LedgerStore]


def _postgres(spec: LedgerSpec, stack: RunningStack, prefix: str) -> LedgerStore:
    timeout_s = spec.timeout_ms / 1000
    return PostgresLedgerStore(entry_target(stack), prefix, timeout_s, node_namer(stack))


def _redis(spec: LedgerSpec, stack: RunningStack, prefix: str) -> LedgerStore:
    assert isinstance(spec, RedisLedgerSpec)
    topo = stack.topology_as(RedisSentinelTopology, "workload redis-ledger")
    timeout_s = spec.timeout_ms / 1000
    writers = _discovering(spec, stack, prefix) if spec.discovery == "every-write" else None
    return RedisLedgerStore(
        lambda: sentinel_for(stack, timeout_s), topo.master_name, prefix, writers
    )


def _discovering(spec: RedisLedgerSpec, stack: RunningStack, prefix: str) -> Callable[[], Probe]:
    """Write clients that ask the Sentinels before every write (`discovery: every-write`)."""
    names = node_namer(stack)

    def writer() -> Probe:
        discovery = discovery_for(stack, spec.sentinel_timeout_ms / 1000)
        timeout_s = spec.timeout_ms / 1000
        return RedisDiscoveryWriteProbe(discovery, prefix, timeout_s, names, LEDGER_PROCESS)

    return writer


def _rabbitmq(spec: LedgerSpec, stack: RunningStack, prefix: str) -> LedgerStore:
    queue = stack.topology_as(RabbitMQTopology, "workload rabbitmq-ledger").queue
    drain_s = spec.final_read_timeout_s
    return RabbitMQLedgerStore(
        amqp_endpoints(stack), queue, prefix, spec.timeout_ms / 1000, drain_s
    )


def _http(spec: LedgerSpec, stack: RunningStack, prefix: str) -> LedgerStore:
    assert isinstance(spec, HttpLedgerSpec)
    timeout_s = spec.timeout_ms / 1000
    tls = tls_config(stack, spec)
    reader = http_client(stack, spec, max(timeout_s, READ_TIMEOUT_S), spec.read_target, tls)
    return HttpLedgerStore(lambda: http_client(stack, spec, timeout_s, tls=tls), reader, prefix)


BUILDERS: dict[str, StoreBuilder] = {
    "postgres-ledger": _postgres,
    "redis-ledger": _redis,
    "rabbitmq-ledger": _rabbitmq,
    "http-ledger": _http,
}


def make_store(spec: LedgerSpec, stack: RunningStack, run_prefix: str) -> LedgerStore:
    """The ledger store for `spec.type`, writing keys under the run's ledger prefix."""
    try:
        builder = BUILDERS[spec.type]
    except KeyError:
        raise HachaosError(f"unknown workload type '{spec.type}'") from None
    return builder(spec, stack, ledger_prefix(run_prefix))
