"""Appliance roles from each node's own status: the primary moves with promotions, a fenced
or unconfirmed node holds no role, and the heal waits for one primary and one healthy
replica."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fakes import FakeNode

from hachaos.clock import FakeClock
from hachaos.node import ExecResult
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.spec.models import Role
from hachaos.topology import resolver_for
from hachaos.topology.appliance import ApplianceResolver

REPO = Path(__file__).resolve().parents[2]


def status(role: str, mode: str, replication: str = "OK") -> str:
    return f"node: x\nrole: {role}\nmode: {mode}\nepoch: 2\nreplication: {replication}\n"


@dataclass
class StatusNode(FakeNode):
    """Answers `appliance status` with `output` (exit 3 when empty: the daemon is down)."""

    output: str = ""

    def __post_init__(self) -> None:
        self.answer = self._status

    def _status(self, cmd: tuple[str, ...]) -> ExecResult:
        assert cmd == ("appliance", "status")
        return ExecResult(0 if self.output else 3, self.output)


def pair(ap1: str, ap2: str) -> tuple[RunningStack, dict[str, StatusNode]]:
    spec = load_stack(REPO / "fixtures" / "stacks" / "active-passive.yaml")
    nodes = {
        "ap-1": StatusNode("ap-1", "primary", output=ap1),
        "ap-2": StatusNode("ap-2", "replica", output=ap2),
        "lb": StatusNode("lb", "lb"),
    }
    return RunningStack(spec, "hc-test", "fake", nodes, 0.0), nodes


def names(nodes: Sequence[object]) -> list[str]:
    return [getattr(n, "name", "?") for n in nodes]


def test_the_stack_resolves_roles_from_its_nodes() -> None:
    stack, _ = pair(status("primary", "active"), status("replica", "replication"))
    assert isinstance(resolver_for(stack), ApplianceResolver)


def test_primary_follows_promotion() -> None:
    stack, nodes = pair(status("primary", "active"), status("replica", "replication"))
    r = ApplianceResolver(stack)
    assert names(r.holders(Role.PRIMARY)) == ["ap-1"]
    assert names(r.holders(Role.REPLICA)) == ["ap-2"]
    nodes["ap-1"].running = False  # killed, then ap-2 promoted
    nodes["ap-2"].output = status("primary", "active")
    assert names(r.holders(Role.PRIMARY)) == ["ap-2"]
    assert r.holders(Role.REPLICA) == []
    assert names(r.holders(Role.LB)) == ["lb"]


def test_maintenance_primary_still_holds_the_role_unconfirmed_does_not() -> None:
    stack, nodes = pair(status("primary", "maintenance"), status("replica", "replication"))
    r = ApplianceResolver(stack)
    assert names(r.holders(Role.PRIMARY)) == ["ap-1"]
    nodes["ap-1"].output = status("primary", "unconfirmed")
    assert r.holders(Role.PRIMARY) == []


def test_heal_waits_for_the_old_primary_to_rejoin() -> None:
    stack, nodes = pair(status("fenced", "fenced", "CRITICAL"), status("primary", "active"))
    clock = FakeClock()
    seen = []

    def rejoin_after_three_looks(cmd: Sequence[str], timeout_s: float = 30.0) -> ExecResult:
        seen.append(1)
        text = status("replica", "replication") if len(seen) > 3 else nodes["ap-1"].output
        return ExecResult(0, text)

    nodes["ap-1"].exec = rejoin_after_three_looks  # type: ignore[method-assign]
    report = ApplianceResolver(stack, clock).await_healed(60)
    assert report.healed
    assert report.detail == "ap-1=replica/replication, ap-2=primary/active"
    assert 1.0 <= report.elapsed_s < 60


def test_not_healed_names_what_each_node_says() -> None:
    stack, _ = pair(status("primary", "active"), status("primary", "active"))
    report = ApplianceResolver(stack, FakeClock()).await_healed(5)
    assert not report.healed
    assert report.detail == "ap-1=primary/active, ap-2=primary/active"
    stack, _ = pair("", status("primary", "active"))
    report = ApplianceResolver(stack, FakeClock()).await_healed(5)
    assert report.detail == "ap-1=?/?, ap-2=primary/active"
