"""RunningStack helpers that need no Docker."""

from __future__ import annotations

import pytest

from hachaos.errors import HachaosError
from hachaos.running import RunningStack
from hachaos.spec.models import RedisSentinelTopology, StackSpec, StaticTopology


def stack() -> RunningStack:
    spec = StackSpec.model_validate({"name": "tiny", "image": "x", "nodes": {"a": {"role": "app"}}})
    return RunningStack(spec, "hc-test", "docker", {}, 0.0)


def test_topology_as_returns_the_declared_kind() -> None:
    assert isinstance(stack().topology_as(StaticTopology, "anything"), StaticTopology)


def test_topology_as_names_who_needed_which_kind() -> None:
    with pytest.raises(HachaosError) as exc:
        stack().topology_as(RedisSentinelTopology, "probe redis-sentinel-write")
    assert str(exc.value) == (
        "probe redis-sentinel-write needs a redis-sentinel stack; 'tiny' is static"
    )
