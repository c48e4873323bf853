"""Builds the ledger store a scenario's workload names, wired to the running stack."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.errors import HachaosError
from hachaos.probes.factory import node_namer
from hachaos.running import RunningStack
from hachaos.spec.models import RabbitMQTopology, RedisSentinelTopology
from hachaos.spec.workloads import LedgerSpec
from hachaos.topology.patroni import entry_target
from hachaos.topology.rabbitmq import amqp_endpoints
from hachaos.topology.redis_sentinel import sentinel_for
from hachaos.workloads.ledger import LedgerStore, ledger_prefix
from hachaos.workloads.postgres import PostgresLedgerStore
from hachaos.workloads.rabbitmq import RabbitMQLedgerStore
from hachaos.workloads.redis import RedisLedgerStore

StoreBuilder = Callable[[LedgerSpec, RunningStack, str], LedgerStore]


def _postgres(spec: LedgerSpec, stack: RunningStack, prefix: str) -> LedgerStore:
    timeout_s = spec.timeout_ms / 1000
    return PostgresLedgerStore(entry_target(stack), prefix, timeout_s, node_namer(stack))


def _redis(spec: LedgerSpec, stack: RunningStack, prefix: str) -> LedgerStore:
    topo = stack.topology_as(RedisSentinelTopology, "workload redis-ledger")
    timeout_s = spec.timeout_ms / 1000
    return RedisLedgerStore(lambda: sentinel_for(stack, timeout_s), topo.master_name, prefix)


def _rabbitmq(spec: LedgerSpec, stack: RunningStack, prefix: str) -> LedgerStore:
    queue = stack.topology_as(RabbitMQTopology, "workload rabbitmq-ledger").queue
    drain_s = spec.final_read_timeout_s
    return RabbitMQLedgerStore(
        amqp_endpoints(stack), queue, prefix, spec.timeout_ms / 1000, drain_s
    )


BUILDERS: dict[str, StoreBuilder] = {
    "postgres-ledger": _postgres,
    "redis-ledger": _redis,
    "rabbitmq-ledger": _rabbitmq,
}


def make_store(spec: LedgerSpec, stack: RunningStack, run_prefix: str) -> LedgerStore:
    """The ledger store for `spec.type`, writing keys under the run's ledger prefix."""
    try:
        builder = BUILDERS[spec.type]
    except KeyError:
        raise HachaosError(f"unknown workload type '{spec.type}'") from None
    return builder(spec, stack, ledger_prefix(run_prefix))
