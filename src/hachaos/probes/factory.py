"""Builds the probe a scenario names, wired to the running stack."""

from __future__ import annotations

from hachaos.errors import HachaosError
from hachaos.probes.base import Probe
from hachaos.probes.redis_sentinel import RedisSentinelWriteProbe
from hachaos.running import RunningStack
from hachaos.spec.models import RedisSentinelTopology
from hachaos.spec.scenario import ProbeSpec
from hachaos.topology.redis_sentinel import sentinel_for


def make_probe(spec: ProbeSpec, stack: RunningStack, prefix: str) -> Probe:
    """The probe for `spec.type` against `stack`."""
    if spec.type == "redis-sentinel-write":
        topo = stack.spec.topology
        if not isinstance(topo, RedisSentinelTopology):
            raise HachaosError(
                f"probe redis-sentinel-write needs a redis-sentinel stack, '{stack.spec.name}' is not"
            )
        sentinel = sentinel_for(stack, timeout_s=spec.timeout_ms / 1000)
        return RedisSentinelWriteProbe(sentinel, topo.master_name, prefix)
    raise HachaosError(f"unknown probe type '{spec.type}'")
