"""Builds the probe a scenario names, wired to the running stack: one builder per type."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.errors import HachaosError
from hachaos.probes.base import Probe
from hachaos.probes.redis_sentinel import RedisSentinelWriteProbe
from hachaos.running import RunningStack
from hachaos.spec.models import RedisSentinelTopology
from hachaos.spec.probes import ProbeSpec
from hachaos.topology.redis_sentinel import sentinel_for

ProbeBuilder = Callable[[ProbeSpec, RunningStack, str], Probe]


def _redis_sentinel_write(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    topo = stack.spec.topology
    if not isinstance(topo, RedisSentinelTopology):
        raise HachaosError(
            f"probe redis-sentinel-write needs a redis-sentinel stack, '{stack.spec.name}' is not"
        )
    sentinel = sentinel_for(stack, timeout_s=spec.timeout_ms / 1000)
    return RedisSentinelWriteProbe(sentinel, topo.master_name, prefix)


BUILDERS: dict[str, ProbeBuilder] = {"redis-sentinel-write": _redis_sentinel_write}


def make_probe(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    """The probe for `spec.type` against `stack`."""
    try:
        builder = BUILDERS[spec.type]
    except KeyError:
        raise HachaosError(f"unknown probe type '{spec.type}'") from None
    return builder(spec, stack, prefix)
