"""A budget that can never hold is rejected at load time, with an explanation."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.errors import ConfigError
from hachaos.spec.loader import load_scenario

STACK = """\
name: tiny
image: img
topology:
  kind: patroni
  replication: {replication}
  entry: {{node: lb, port: 5000}}
  password: test-only
nodes:
  a: {{role: primary}}
  b: {{role: replica}}
  lb: {{role: lb}}
"""

SCENARIO = """\
name: s
stack: tiny
probe: {{type: sql}}
workload: {{type: postgres-ledger}}
fault: {fault}
budget:
  {limit}: {lost}
"""

KILL_PRIMARY = "{action: kill, target: {role: primary}}"
STOP_REPLICA = "{action: stop, target: {role: replica}}"
PARTITION = "{action: partition, mode: isolate, target: {role: primary}}"


def _load(
    tmp_path: Path, replication: str, fault: str, lost: float, limit: str = "max_lost_writes"
) -> None:
    stacks = tmp_path / "fixtures" / "stacks"
    stacks.mkdir(parents=True, exist_ok=True)
    (stacks / "tiny.yaml").write_text(STACK.format(replication=replication))
    scen = tmp_path / "scenarios" / "s.yaml"
    scen.parent.mkdir(exist_ok=True)
    scen.write_text(SCENARIO.format(fault=fault, lost=lost, limit=limit))
    load_scenario(scen)


@pytest.mark.parametrize("fault", [KILL_PRIMARY, PARTITION])
def test_zero_loss_on_async_failover_is_rejected(tmp_path: Path, fault: str) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, "async", fault, 0)
    (problem,) = exc.value.problems
    assert problem.line == 7
    assert "max_lost_writes: 0 can never hold" in problem.message
    assert "replicates asynchronously" in problem.message
    assert "max_loss_window_s: S" in problem.message


def test_zero_loss_window_on_async_failover_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        _load(tmp_path, "async", KILL_PRIMARY, 0.0, "max_loss_window_s")
    (problem,) = exc.value.problems
    assert "max_loss_window_s: 0 can never hold" in problem.message


def test_a_loss_window_budget_on_async_loads(tmp_path: Path) -> None:
    _load(tmp_path, "async", KILL_PRIMARY, 2.5, "max_loss_window_s")


@pytest.mark.parametrize(
    ("replication", "fault", "lost"),
    [("sync", KILL_PRIMARY, 0), ("async", STOP_REPLICA, 0), ("async", KILL_PRIMARY, 5)],
)
def test_possible_budgets_load(tmp_path: Path, replication: str, fault: str, lost: int) -> None:
    _load(tmp_path, replication, fault, lost)


def test_password_is_never_shown(tmp_path: Path) -> None:
    _load(tmp_path, "sync", KILL_PRIMARY, 0)
    from hachaos.spec.loader import load_stack

    stack = load_stack(tmp_path / "fixtures" / "stacks" / "tiny.yaml")
    assert "test-only" not in repr(stack)
    assert "test-only" not in str(stack.model_dump())
