"""Small parts of the schedule: step events in the saved history, the probe-state wait, step
descriptions, command matching."""

from __future__ import annotations

from histbuilder import Timeline
from stepfakes import spec

from hachaos.history import History, StepEvent, StepOutcome
from hachaos.node import ExecResult
from hachaos.scenario.commands import NodeRun, matches, snippet
from hachaos.scenario.step_waits import probe_state


def test_step_events_survive_the_jsonl_round_trip() -> None:
    h = History()
    h.add_step(StepEvent(1, None, "wait", 30, 40, StepOutcome.FAILED, "deadline"))
    h.add_step(StepEvent(0, "kill", "inject", 10, 20, StepOutcome.OK, "kill -> db"))
    again = History.from_jsonl(h.to_jsonl().splitlines())
    assert again.steps == h.steps
    assert [s.index for s in again.steps] == [0, 1]
    assert again.step(1) == StepEvent(1, None, "wait", 30, 40, StepOutcome.FAILED, "deadline")
    assert again.step(2) is None


def test_probe_state_counts_only_ops_since_the_wait_began() -> None:
    ops = Timeline().ops("....", kind="write")
    since = ops.t  # the wait begins with the next op
    ops.ops("xx.", kind="write")
    h = ops.history
    ok = probe_state(h, "probe", since, 3, "ok")
    assert (ok.seen, ok.ok, ok.last, ok.holds) == (3, 1, 3, False)
    ops.ops("..", kind="write")
    assert probe_state(h, "probe", since, 3, "ok").holds
    failing = probe_state(h, "probe", since, 2, "failing")
    assert not failing.holds
    assert failing.describe() == "2 of the last 2 ops ok (5 since the wait began)"
    ops.ops("xx", kind="write")
    assert probe_state(h, "probe", since, 2, "failing").holds
    assert not probe_state(h, "probe", since, 10, "failing").holds  # too few yet


def test_steps_describe_themselves() -> None:
    s = spec(
        """
steps:
  - name: lose
    inject: {action: kill, target: {role: replica, pick: all}}
  - wait: {run: {target: {node: app}, command: [appliance, status]}, output: "OK"}
    timeout_s: 60
  - run: {target: {role: primary}, command: [appliance, maintenance, "on"]}
  - expect: {window: m, state: unavailable}
  - close: m
  - hold_s: 2.5
  - revert: lose
"""
    )
    assert [step.describe() for step in s.schedule] == [
        "inject kill role replica (pick all)",
        "wait until appliance status on node app matches 'OK' (within 60s)",
        "run appliance maintenance on on role primary",
        "expect main unavailable in window m (grace 2s)",
        "close window m",
        "hold 2.5s",
        "revert lose",
    ]
    assert [step.label for step in s.schedule][:2] == ["lose", "wait"]


def test_output_matching_and_snippets() -> None:
    assert matches(None, "anything")
    assert matches("^replication: OK$", "lag: 0\nreplication: OK\n")
    assert not matches("^replication: OK$", "replication: OK (degraded)")
    assert snippet("token=abc  a\n b") == "token=*** a b"
    assert len(snippet("x" * 500)) == 160
    assert NodeRun("app", None).describe() == "app: not run, the step's deadline had passed"
    assert NodeRun("app", ExecResult(1, "no\n")).describe() == "app: exit 1, 'no'"
