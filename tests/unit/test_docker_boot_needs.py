"""What each node of a Docker boot waits for: its depends_on, and the populated proxy."""

from __future__ import annotations

from pathlib import Path

from hachaos.backends.docker.boot import boot_needs
from hachaos.backends.docker.links import PROXY_NODE, with_proxy_node
from hachaos.spec.loader import load_stack
from hachaos.spec.models import StackSpec

STACKS = Path(__file__).resolve().parents[2] / "fixtures" / "stacks"


def needs_of(stack: str) -> dict[str, tuple[str, ...]]:
    return boot_needs(with_proxy_node(load_stack(STACKS / f"{stack}.yaml")))


def test_platform_nodes_wait_only_for_their_own_dependencies() -> None:
    needs = needs_of("platform")
    for root in ("etcd-1", "redis-1", "rabbit-1", PROXY_NODE):
        assert needs[root] == ()
    assert needs["pg-1"] == ("etcd-1", "etcd-2", "etcd-3", PROXY_NODE)
    assert needs["rabbit-2"] == ("rabbit-1", PROXY_NODE)
    assert set(needs["worker-1"]) == {"rabbit-2", "rabbit-3", PROXY_NODE}
    assert PROXY_NODE in needs["app-1"]  # it reaches every datastore through links
    assert set(needs["lb"]) == {"app-1", "app-2", PROXY_NODE}


def test_a_node_reaching_its_dependency_through_a_link_waits_for_the_proxy() -> None:
    needs = needs_of("active-passive")
    assert needs["ap-1"] == ()
    assert needs["ap-2"] == ("ap-1", PROXY_NODE)  # its base backup goes through repl-ap-1


def test_a_stack_without_links_waits_for_nothing_else() -> None:
    needs = needs_of("redis-sentinel")
    assert needs["sentinel-1"] == ("redis-1", "redis-2", "redis-3")
    assert PROXY_NODE not in needs


def test_a_stacks_own_proxy_never_waits_for_itself_through_what_it_needs() -> None:
    stack = StackSpec.model_validate(
        {
            "name": "own-proxy",
            "image": "x",
            "links": {"db-link": {"upstream": "db:5432", "listen": 15432}},
            "nodes": {
                "base": {"role": "app"},
                "db": {"role": "primary", "depends_on": ["base"]},
                "toxi": {"role": "proxy", "depends_on": ["db"]},
                "app": {"role": "app", "depends_on": ["db"]},
            },
        }
    )
    needs = boot_needs(with_proxy_node(stack))
    assert needs == {"base": (), "db": ("base",), "toxi": ("db",), "app": ("db", "toxi")}
