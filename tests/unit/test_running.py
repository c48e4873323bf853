"""RunningStack helpers that need no Docker."""

from __future__ import annotations

import pytest
from fakes import FakeNode

from hachaos.errors import HachaosError
from hachaos.running import RunningStack
from hachaos.spec.models import RedisSentinelTopology, Role, StackSpec, StaticTopology


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


def composed() -> RunningStack:
    part = StackSpec.model_validate(
        {
            "name": "cache",
            "image": "x",
            "topology": {"kind": "redis-sentinel"},
            "nodes": {"r-1": {"role": "master"}, "s-1": {"role": "sentinel"}},
        }
    )
    nodes = {**part.nodes, "lb": {"role": "lb"}, "app": {"role": "app"}}
    spec = StackSpec.model_validate(
        {"name": "plat", "image": "x", "nodes": nodes, "parts": {"kv": part}}
    )
    handles = {n: FakeNode(n) for n in spec.nodes}
    return RunningStack(spec, "hc-test", "docker", handles, 0.0)


def test_part_is_the_included_stack_with_its_topology_and_nodes() -> None:
    kv = composed().part("kv")
    assert kv.spec.name == "cache"
    assert isinstance(kv.spec.topology, RedisSentinelTopology)
    assert set(kv.nodes) == {"r-1", "s-1"}


def test_own_view_and_views() -> None:
    stack = composed()
    assert set(stack.own().nodes) == {"lb", "app"}
    assert [v.spec.name for v in stack.views()] == ["plat", "cache"]


def test_unknown_part_is_a_one_line_error() -> None:
    with pytest.raises(HachaosError) as exc:
        composed().part("pg")
    assert str(exc.value) == "stack 'plat' includes no stack as 'pg' (included: kv)"


def test_static_roles_of_a_composed_stack_are_its_own() -> None:
    from hachaos.topology import resolver_for

    resolver = resolver_for(composed())
    assert [n.name for n in resolver.holders(Role.APP)] == ["app"]
    assert resolver.holders(Role.MASTER) == []
