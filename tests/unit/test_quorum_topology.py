"""The quorum topology: member lists parsed from etcdctl, the membership claim and the heal
wait, against fake nodes (no Docker)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fakes import FakeNode

from hachaos.checks.steady import SteadyState
from hachaos.clock import FakeClock
from hachaos.history import History, Op, Outcome
from hachaos.node import ExecResult
from hachaos.running import RunningStack
from hachaos.scenario.measure import measure
from hachaos.spec.models import StackSpec
from hachaos.spec.scenario import ScenarioSpec
from hachaos.topology import resolver_for
from hachaos.topology.quorum import QuorumResolver, member_names

LIST_3 = """\
8e9e05c52164694d, started, server-1, http://server-1:2380, http://server-1:2379, false
91bc3c398fb3c146, started, server-2, http://server-2:2380, http://server-2:2379, false
fd422379fda50e48, started, server-3, http://server-3:2380, http://server-3:2379, false
"""


def test_member_names_skip_unstarted_members_and_learners() -> None:
    text = (
        LIST_3
        + "aa, unstarted, , http://server-4:2380, , false\nbb, started, server-5, x, y, true\n"
    )
    assert member_names(text) == ("server-1", "server-2", "server-3")


@dataclass
class FakeMember(FakeNode):
    """A quorum server: `etcdctl` lists `listing` (fails when empty), anything else answers
    the `health` status code."""

    listing: str = LIST_3
    health: str = "200"

    def __post_init__(self) -> None:
        self.answer = self._answer

    def _answer(self, cmd: tuple[str, ...]) -> ExecResult:
        if cmd[0] == "etcdctl":
            return ExecResult(0 if self.listing else 1, self.listing or "context deadline exceeded")
        return ExecResult(0, self.health + "\n")


def stack(*members: FakeMember) -> RunningStack:
    spec = StackSpec.model_validate(
        {
            "name": "quorum",
            "image": "x",
            "topology": {"kind": "quorum"},
            "nodes": {m.name: {"role": "app"} for m in members} | {"db": {"role": "primary"}},
        }
    )
    return RunningStack(spec, "hc-1", "fake", {m.name: m for m in members}, 0.0)


def test_resolver_is_registered_and_writes_are_multi_node() -> None:
    s = stack(FakeMember("server-1"))
    assert isinstance(resolver_for(s), QuorumResolver)
    assert getattr(s.spec.topology, "multi_writer", False) is True


def test_claim_holds_when_every_member_lists_all() -> None:
    members = [FakeMember(f"server-{i}") for i in (1, 2, 3)]
    [claim] = QuorumResolver(stack(*members), FakeClock()).check_claims(5)
    assert claim.holds and claim.claim == "quorum of 3 members"
    assert "server-2 sees 3 (healthy)" in claim.observed


def test_one_member_clusters_break_the_claim() -> None:
    members = [
        FakeMember(f"server-{i}", listing=f"{i}, started, server-{i}, u, v, false\n")
        for i in (1, 2, 3)
    ]
    [claim] = QuorumResolver(stack(*members), FakeClock()).check_claims(2)
    assert not claim.holds
    assert claim.observed == (
        "server-1 sees 1 (healthy), server-2 sees 1 (healthy), server-3 sees 1 (healthy)"
    )


def test_heal_waits_for_every_member_to_be_healthy() -> None:
    sick = FakeMember("server-2", health="503")
    members = [FakeMember("server-1"), sick, FakeMember("server-3")]
    report = QuorumResolver(stack(*members), FakeClock()).await_healed(3)
    assert not report.healed and "server-2 sees 3 (unhealthy)" in report.detail
    sick.health = "200"
    assert QuorumResolver(stack(*members), FakeClock()).await_healed(3).healed


def test_a_stopped_member_is_unhealthy_and_not_asked() -> None:
    down = FakeMember("server-1", running=False)
    report = QuorumResolver(stack(down), FakeClock()).await_healed(1)
    assert not report.healed and report.detail == "server-1 sees ? (unhealthy)"
    assert down.calls == []


def test_members_role_must_exist() -> None:
    with pytest.raises(ValueError, match="no node has role 'worker'"):
        StackSpec.model_validate(
            {
                "name": "q",
                "image": "x",
                "topology": {"kind": "quorum", "members": "worker"},
                "nodes": {"a": {"role": "app"}},
            }
        )


def test_many_writers_are_no_split_brain() -> None:
    h = History()
    for i in range(10):  # two servers acknowledging interleaved writes
        h.add_op(Op("probe", "write", i * 10, i * 10 + 5, Outcome.OK, value=f"server-{i % 2}"))
    spec = ScenarioSpec.model_validate(
        {
            "name": "s",
            "stack": "quorum",
            "probe": {"type": "tcp", "target": {"node": "a", "port": 1}},
            "fault": {"action": "kill", "target": {"node": "a"}},
            "budget": {"recovery_time_s": 1},
        }
    )
    steady = SteadyState(False, "", 0, 20)
    assert measure(spec, h, steady, multi_writer=True).overlap.nodes == ()
    assert measure(spec, h, steady).overlap.nodes == ("server-0", "server-1")
