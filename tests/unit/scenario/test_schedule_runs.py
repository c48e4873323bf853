"""A scenario with steps on a fake stack: steps run in order, recorded, judged; every injected
fault is reverted however the schedule ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from stepfakes import StepNode, fake_stack, probes_on, spec

from hachaos.events import EventBus, Progress, StepFinished, StepStarted
from hachaos.faults import node_faults
from hachaos.history import FaultPhase, StepOutcome
from hachaos.node import ExecResult
from hachaos.reaper.journal import RUNS_DIR_ENV, Journal
from hachaos.running import RunningStack
from hachaos.scenario import runner
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.scenario import ScenarioSpec
from hachaos.verdict import Reason, VerdictOutcome

OUTAGE = """
steps:
  - name: kill-db
    inject: {action: kill, target: {role: primary}}
  - wait: {probe: main, state: failing, sustain_ops: 3}
    timeout_s: 2
  - expect: {window: down, state: unavailable, grace_s: 0.05}
  - hold_s: 0.3
  - close: down
  - run: {target: {node: app}, command: [status], expect_output: "^state: (ok|degraded)$"}
  - name: restore
    revert: kill-db
  - wait: {probe: main, state: ok, sustain_ops: 5}
    timeout_s: 2
budget: {recovery_time_s: 5}
"""
World = tuple[RunningStack, dict[str, StepNode]]


@pytest.fixture(autouse=True)
def _runs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "runs"))


@pytest.fixture
def world() -> World:
    stack, nodes = fake_stack()
    nodes["app"].answers[("status",)] = ExecResult(0, "booting\nstate: degraded\n")
    return stack, nodes


def run(
    monkeypatch: pytest.MonkeyPatch, scenario: ScenarioSpec, world: World
) -> tuple[ScenarioResult, list[object]]:
    stack, nodes = world
    monkeypatch.setattr(runner, "make_probe", probes_on(nodes))
    bus = EventBus()
    events: list[object] = []
    bus.subscribe(events.append)
    return runner.run_scenario(scenario, stack, bus, seed=1), events


def test_an_outage_schedule_passes_with_every_step_recorded(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    result, events = run(monkeypatch, spec(OUTAGE), world)
    v = result.verdict
    assert (v.outcome, v.reason) == (VerdictOutcome.PASS, Reason.WITHIN_BUDGET), v.detail
    steps = result.history.steps
    assert [s.kind for s in steps] == [
        "inject", "wait", "expect", "hold_s", "close", "run", "revert", "wait"
    ]  # fmt: skip
    assert all(s.outcome is StepOutcome.OK for s in steps)
    assert steps[0].detail == "kill -> db" and steps[3].end_ns - steps[3].start_ns >= 0.3e9
    assert "app: exit 0, 'booting state: degraded'" in steps[5].detail
    assert [f.phase for f in result.history.faults] == [
        FaultPhase.INJECT, FaultPhase.EFFECTIVE, FaultPhase.REVERT
    ]  # fmt: skip
    assert world[1]["db"].running
    window = {m.name: m for m in v.measurements}["expect.down.ok_ops"]
    assert (window.value, window.budget, window.ok) == (0, 0, True)
    assert result.recovery is not None and result.recovery.inject_ns == steps[0].start_ns
    titles = [e.name for e in events if isinstance(e, StepStarted)]
    assert [t for t in titles if t.startswith("step ")] == [
        f"step {i}/8: {label}"
        for i, label in enumerate(
            ["kill-db", "wait", "expect", "hold_s", "close", "run", "restore", "wait"], 1
        )
    ]
    lines = [e.text for e in events if isinstance(e, Progress) and e.phase == "step"]
    assert lines[0] == "1/8 kill-db: inject kill role primary"
    assert lines[1].startswith("1/8 kill-db: ok (") and lines[1].endswith("s) kill -> db")


def test_recovery_is_measured_from_the_named_step(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    text = OUTAGE.replace("budget:", "recovery: {from_step: restore, sustain_ops: 3}\nbudget:")
    result, _ = run(monkeypatch, spec(text), world)
    restore = result.history.steps[6]
    assert result.recovery is not None and result.recovery.inject_ns == restore.start_ns
    assert result.recovery.recovery_s is not None and result.recovery.recovery_s < 0.3


def test_a_runbook_command_that_fails_fails_the_run_and_skips_the_rest(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    world[1]["app"].answers[("status",)] = ExecResult(3, "state: broken password=hunter2")
    result, events = run(monkeypatch, spec(OUTAGE), world)
    v = result.verdict
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.STEP_FAILED)
    assert v.detail.startswith(
        "step 6 failed: run status on node app: expected exit 0 and output matching "
        "'^state: (ok|degraded)$'; got app: exit 3, 'state: broken password=***"
    )
    assert "hunter2" not in v.detail and "hunter2" not in result.history.to_jsonl()
    outcomes = [s.outcome for s in result.history.steps]
    assert outcomes == [StepOutcome.OK] * 5 + [StepOutcome.FAILED] + [StepOutcome.SKIPPED] * 2
    assert world[1]["db"].running  # reverted after the schedule, though its revert was skipped
    assert result.history.faults[-1].phase is FaultPhase.REVERT
    failed = [e for e in events if isinstance(e, StepFinished) and e.error is not None]
    assert [e.name for e in failed] == ["step 6/8: run"]


def test_a_wait_that_hits_its_deadline_fails_the_run(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    text = """
steps:
  - name: kill-cache      # main does not depend on it: it never fails
    inject: {action: kill, target: {node: cache}}
  - wait: {probe: main, state: failing, sustain_ops: 3}
    timeout_s: 0.3
"""
    result, _ = run(monkeypatch, spec(text), world)
    v = result.verdict
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.STEP_FAILED)
    assert "probe main: no 3 consecutive failed ops within 0.3s; 3 of the last 3 ops ok" in (
        v.detail
    )
    assert world[1]["cache"].running


def test_writes_in_an_unavailable_window_are_a_split_brain_finding(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    text = """
steps:
  - name: kill-cache
    inject: {action: kill, target: {node: cache}}
  - expect: {window: predicted-outage, state: unavailable, grace_s: 0}
  - hold_s: 0.2
  - close: predicted-outage
"""
    result, _ = run(monkeypatch, spec(text), world)
    v = result.verdict
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.EXPECTATION_FAILED)
    assert "predicts an outage of probe 'main' here; writes still succeeded: split-brain" in (
        v.detail
    )
    window = {m.name: m for m in v.measurements}["expect.predicted-outage.ok_ops"]
    assert window.ok is False and isinstance(window.value, int) and window.value > 5


AVAILABLE = """
probes:
  cache: {type: tcp, target: {node: cache, port: 1}, interval_ms: 10}
steps:
  - name: kill-db
    inject: {action: kill, target: {node: db}}
  - expect: {window: w, probe: PROBE, state: available, grace_s: 0}
  - hold_s: 0.2
  - close: w
  - revert: kill-db
  - wait: {probe: main, state: ok, sustain_ops: 3}
    timeout_s: 2
"""


def test_an_available_window_holds_on_a_probe_the_fault_does_not_touch(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    result, _ = run(monkeypatch, spec(AVAILABLE.replace("PROBE", "cache")), world)
    assert result.verdict.passed, result.verdict.detail
    window = {m.name: m for m in result.verdict.measurements}["expect.w.error_rate"]
    assert (window.value, window.budget, window.ok) == (0.0, 0.0, True)
    assert any(op.process == "probe:cache" for op in result.history.ops)


def test_failures_in_an_available_window_fail_unless_the_error_budget_allows(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    strict = spec(AVAILABLE.replace("PROBE", "main"))
    result, _ = run(monkeypatch, strict, world)
    v = result.verdict
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.EXPECTATION_FAILED)
    assert "predicts probe 'main' stays available; error rate 1.000 > 0" in v.detail
    lenient = spec(AVAILABLE.replace("PROBE", "main") + "budget: {max_error_rate: 1.0}\n")
    stack, nodes = fake_stack()
    result, _ = run(monkeypatch, lenient, (stack, nodes))
    assert result.verdict.passed, result.verdict.detail


def test_steps_without_faults_or_budget_are_judged_by_their_predictions(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    text = "steps:\n  - run: {target: {role: app}, command: [status]}\n"
    result, _ = run(monkeypatch, spec(text), world)
    assert result.verdict.passed, result.verdict.detail
    assert result.targets == ()


def test_ctrl_c_during_a_step_still_reverts_every_fault(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    def interrupted(cmd: tuple[str, ...]) -> ExecResult:
        raise KeyboardInterrupt

    world[1]["app"].answers[("status",)] = interrupted
    with pytest.raises(KeyboardInterrupt):
        run(monkeypatch, spec(OUTAGE), world)
    assert world[1]["db"].running


def test_step_injected_faults_are_journalled_for_the_reaper(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    journal = Journal.for_run("hc-steps")
    world[1]["db"].container_id = "c0ffee"
    seen: list[int] = []

    def pending(cmd: tuple[str, ...]) -> ExecResult:
        seen.append(len(journal.pending()))
        return ExecResult(0, "state: ok")

    world[1]["app"].answers[("status",)] = pending
    result, _ = run(monkeypatch, spec(OUTAGE), world)
    assert result.verdict.passed, result.verdict.detail
    assert seen == [1]  # held while the schedule ran
    assert journal.pending() == []  # undone by its revert step


def test_a_fault_that_does_not_take_effect_stops_the_schedule_inconclusive(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    monkeypatch.setattr(node_faults, "EFFICACY_TIMEOUT_S", 0.1)
    monkeypatch.setattr(StepNode, "kill", lambda self: None)  # survives SIGKILL
    result, _ = run(monkeypatch, spec(OUTAGE), world)
    v = result.verdict
    assert (v.outcome, v.reason) == (VerdictOutcome.INCONCLUSIVE, Reason.FAULT_INEFFECTIVE)
    assert result.history.steps[0].detail == "kill -> db (did NOT take effect)"
    assert {s.outcome for s in result.history.steps[1:]} == {StepOutcome.SKIPPED}


def test_a_runbook_command_with_no_node_to_run_on_fails_the_step(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    text = """
steps:
  - name: kill-db
    inject: {action: kill, target: {role: primary}}
  - run: {target: {role: primary}, command: [promote]}
"""
    result, _ = run(monkeypatch, spec(text), world)
    v = result.verdict
    assert (v.outcome, v.reason) == (VerdictOutcome.FAIL, Reason.STEP_FAILED)
    assert "no node to run it on: no node to target for role primary" in v.detail


def test_clients_disturbed_by_the_final_revert_are_observed_until_they_recover(
    monkeypatch: pytest.MonkeyPatch, world: World
) -> None:
    nodes = world[1]

    def restart_disturbs_db() -> None:
        nodes["db"].flaps = 8  # e.g. a restored Sentinel still naming the old master

    nodes["cache"].on_start = restart_disturbs_db
    text = """
steps:
  - name: kill-db
    inject: {action: kill, target: {node: db}}
  - wait: {probe: main, state: failing, sustain_ops: 3}
    timeout_s: 2
  - revert: kill-db
  - wait: {probe: main, state: ok, sustain_ops: 3}
    timeout_s: 2
  - name: kill-cache     # held to the end: its revert disturbs clients once more
    inject: {action: kill, target: {node: cache}}
budget: {recovery_time_s: 5}
"""
    result, _ = run(monkeypatch, spec(text), world)
    assert result.verdict.passed, result.verdict.detail
    assert result.recovery is not None and len(result.recovery.windows) == 2
    assert result.recovery.windows[-1].failed == 8
