"""Planning: every shipped demo profile on its stack gives checks of every kind it asks for,
with unique ids; the pytest side orders items by target and the CLI finds profiles."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from hachaos.conformance.load import load_profile
from hachaos.conformance.plan import GROUPS, plan
from hachaos.errors import HachaosError
from hachaos.spec.loader import load_stack

REPO = Path(__file__).resolve().parents[3]
DEMOS = ["redis-sentinel", "postgres-patroni", "rabbitmq-cluster", "platform"]


@pytest.mark.parametrize("name", DEMOS)
def test_demo_profiles_plan_unique_checks(name: str) -> None:
    spec = load_stack(REPO / "fixtures" / "stacks" / f"{name}.yaml")
    profile = load_profile(REPO / "fixtures" / "profiles" / f"{name}.yaml")
    checks = plan(profile, spec)
    ids = Counter((c.group, c.id) for c in checks)
    assert [k for k, n in ids.items() if n > 1] == []
    groups = {c.group for c in checks}
    assert {"roles", "network", "hardware", "replication", "runtime"} <= groups
    assert ("workers" in groups) == (profile.workers is not None)
    assert all(c.title for c in checks)


def test_platform_plan_covers_every_node_and_the_workers() -> None:
    spec = load_stack(REPO / "fixtures/stacks/platform.yaml")
    profile = load_profile(REPO / "fixtures/profiles/platform.yaml")
    hardware = {c.subject for c in plan(profile, spec, "hardware")}
    assert hardware == set(spec.nodes)
    workers = [c.id for c in plan(profile, spec, "workers")]
    assert "worker/worker-1/token" in workers and len(workers) == 8
    replication = {c.name for c in plan(profile, spec, "replication")}
    assert {
        "postgres-streaming",
        "etcd-health",
        "sentinel-ckquorum",
        "rabbitmq-quorum-queue",
        "quorum-size",
    } <= replication


def test_unknown_group_is_one_line() -> None:
    spec = load_stack(REPO / "fixtures/stacks/redis-sentinel.yaml")
    with pytest.raises(HachaosError, match="unknown conformance group 'disks'"):
        plan(load_profile(REPO / "fixtures/profiles/redis-sentinel.yaml"), spec, "disks")
    assert list(GROUPS) == [
        "roles",
        "network",
        "hardware",
        "workers",
        "replication",
        "backups",
        "runtime",
    ]


def test_items_are_grouped_by_target_and_stable() -> None:
    from hachaos.conformance.check import Check
    from hachaos.conformance.outcome import Outcome
    from hachaos.plugin.conformance import Planned, order_by_target

    class Item:
        def __init__(self, name: str, planned: Planned | None) -> None:
            self.name = name
            self.callspec = type("C", (), {"params": {"conformance_check": planned}})()

    def p(index: int) -> Planned:
        return Planned(index, "s", Check("g", "r", "n", "c", "t", lambda t: Outcome.passed("")))

    items = [
        Item("a1", p(1)),
        Item("x", None),
        Item("b0", p(0)),
        Item("a1b", p(1)),
        Item("b0b", p(0)),
    ]
    order_by_target(items)  # type: ignore[arg-type]
    assert [i.name for i in items] == ["b0", "x", "b0b", "a1", "a1b"]
