"""Scenarios with steps: the schema, and every schedule problem as one `file:line` error."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hachaos.cli import main
from hachaos.errors import ConfigError
from hachaos.spec.loader import load_scenario
from hachaos.spec.steps import (
    CommandWaitSpec,
    ExpectStep,
    HoldStep,
    InjectStep,
    ProbeWaitSpec,
    RevertStep,
    RunStep,
    WaitStep,
)

STACK = """\
name: tiny
image: hachaos/tools:latest
nodes:
  db-1: {role: master, command: [sleep, infinity]}
  db-2: {role: replica, command: [sleep, infinity]}
  s-1: {role: sentinel, command: [sleep, infinity]}
  s-2: {role: sentinel, command: [sleep, infinity]}
  s-3: {role: sentinel, command: [sleep, infinity]}
  app-1: {role: app, command: [sleep, infinity]}
"""

HEAD = """\
name: tiny-steps
stack: tiny
probe: {type: redis-sentinel-write}
probes:
  reads: {type: tcp, target: {node: app-1, port: 80}}
"""

STEPS = """\
steps:
  - name: lose-sentinel
    inject: {action: kill, target: {role: sentinel}}
  - hold_s: 5
  - name: kill-master
    inject: {action: kill, target: {role: master}}
  - wait: {probe: main, state: ok, sustain_ops: 20}
    timeout_s: 30
  - wait: {run: {target: {node: app-1}, command: [appliance, status]}, output: "replication: OK"}
    timeout_s: 60
  - run: {target: {role: master}, command: [appliance, maintenance, "on"], expect_output: "on$"}
  - expect: {window: maint, probe: main, state: unavailable, grace_s: 2}
  - close: maint
  - revert: lose-sentinel
recovery:
  from_step: kill-master
budget:
  recovery_time_s: 10
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "fixtures" / "stacks").mkdir(parents=True)
    (tmp_path / "fixtures" / "stacks" / "tiny.yaml").write_text(STACK)
    (tmp_path / "scenarios").mkdir()
    return tmp_path


def write(tree: Path, text: str) -> Path:
    path = tree / "scenarios" / "s.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def problems(tree: Path, text: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, text))
    return [f"{p.line}: {p.message}" for p in exc.value.problems]


def test_the_full_schema_loads(tree: Path) -> None:
    spec = load_scenario(write(tree, HEAD + STEPS)).spec
    kinds = [type(s) for s in spec.schedule]
    assert kinds == [
        InjectStep,
        HoldStep,
        InjectStep,
        WaitStep,
        WaitStep,
        RunStep,
        ExpectStep,
        type(spec.schedule[7]),
        RevertStep,
    ]
    wait_probe, wait_cmd = spec.schedule[3], spec.schedule[4]
    assert isinstance(wait_probe, WaitStep) and isinstance(wait_probe.wait, ProbeWaitSpec)
    assert isinstance(wait_cmd, WaitStep) and isinstance(wait_cmd.wait, CommandWaitSpec)
    run = spec.schedule[5]
    assert isinstance(run, RunStep)
    assert (run.run.expect_exit, run.run.timeout_s) == (0, 30.0)
    assert spec.recovery.from_step == "kill-master"
    assert spec.probe_names() == ("main", "reads")
    assert [loc for loc, _ in spec.faults()] == [("steps", 0, "inject"), ("steps", 2, "inject")]
    assert spec.fault is None


def test_the_short_form_is_unchanged(tree: Path) -> None:
    text = HEAD + "fault: {action: kill, target: {role: master}}\nbudget: {recovery_time_s: 5}\n"
    spec = load_scenario(write(tree, text)).spec
    assert spec.steps is None and spec.schedule == ()
    assert [loc for loc, _ in spec.faults()] == [("fault",)]


def test_steps_with_predictions_need_no_budget(tree: Path) -> None:
    text = HEAD + "steps:\n  - run: {target: {node: app-1}, command: ['true']}\n"
    assert load_scenario(write(tree, text)).spec.budget.has_limits() is False


def test_steps_without_predictions_need_a_budget(tree: Path) -> None:
    text = HEAD + "steps:\n  - name: k\n    inject: {action: kill, target: {role: master}}\n"
    assert problems(tree, text) == ["1: missing required key 'budget'"]
    assert problems(tree, text + "budget: {}\n")[0].startswith("9: budget: budget has no limits")


BAD = [
    (  # revert of a name never injected
        "  - revert: nope\n",
        "9: steps.1.revert: revert of 'nope': no inject step is named 'nope' (inject steps: a)",
    ),
    (  # reverted twice
        "  - revert: a\n  - revert: a\n",
        "10: steps.2.revert: 'a' is already reverted by step 2",
    ),
    (  # a window never closed
        "  - expect: {window: w, state: available}\n",
        "9: steps.1.expect.window: window 'w' is never closed: add a step `close: w`",
    ),
    (  # closed twice
        "  - expect: {window: w, state: available}\n  - close: w\n  - close: w\n",
        "11: steps.3.close: window 'w' is already closed by step 3",
    ),
    (  # close of an unknown window
        "  - close: w\n",
        "9: steps.1.close: close of 'w': no expect step opens window 'w' (none opened so far)",
    ),
    (  # closed before opened
        "  - close: w\n  - expect: {window: w, state: available}\n",
        "9: steps.1.close: close of 'w' before the step that opens it (step 3)",
    ),
    (  # a window opened twice
        "  - expect: {window: w, state: available}\n  - expect: {window: w, state: available}\n"
        "  - close: w\n",
        "10: steps.2.expect.window: window 'w' is already opened by step 2",
    ),
    (  # expect naming an unknown probe
        "  - expect: {window: w, probe: writes, state: available}\n  - close: w\n",
        "9: steps.1.expect.probe: unknown probe 'writes' (main, reads)",
    ),
    (  # wait naming an unknown probe
        "  - wait: {probe: writes, state: ok}\n    timeout_s: 5\n",
        "9: steps.1.wait.probe: unknown probe 'writes' (main, reads)",
    ),
    (  # a wait without a deadline
        "  - wait: {probe: main, state: ok}\n",
        "9: steps.1.wait: a wait needs a deadline: add 'timeout_s: SECONDS'",
    ),
    (  # a name used twice
        "  - name: a\n    hold_s: 1\n",
        "9: steps.1.name: step name 'a' is already used by step 1 ('a')",
    ),
    (  # an inject step without a name
        "  - inject: {action: kill, target: {role: master}}\n",
        "9: steps.1.inject: an inject step needs a 'name' (what `revert: NAME` undoes)",
    ),
    (  # a step with no or two kinds
        "  - {name: b, hold_s: 1, revert: a}\n",
        "9: steps.1: a step needs exactly one of inject, revert, run, wait, hold_s, expect, close",
    ),
    (  # a regex that does not compile
        "  - run: {target: {node: app-1}, command: [x], expect_output: '('}\n",
        "9: steps.1.run.expect_output: not a valid regular expression",
    ),
    (  # a command's unknown target
        "  - run: {target: {node: app-9}, command: [x]}\n",
        "9: unknown node 'app-9' in stack 'tiny'",
    ),
    (  # an inject's unknown role
        "  - name: b\n    inject: {action: kill, target: {role: lb}}\n",
        "10: no node has role 'lb' in stack 'tiny'",
    ),
]


@pytest.mark.parametrize(("steps", "expected"), BAD, ids=[b[1].split(": ")[-1][:40] for b in BAD])
def test_bad_schedule_is_one_line_at_the_offending_key(
    tree: Path, steps: str, expected: str
) -> None:
    first = "  - name: a\n    inject: {action: kill, target: {role: sentinel}}\n"
    text = HEAD + "steps:\n" + first + steps + "budget: {recovery_time_s: 5}\n"
    found = problems(tree, text)
    assert len(found) == 1, found
    assert found[0].startswith(expected), found


def test_revert_before_its_inject(tree: Path) -> None:
    text = (
        HEAD
        + "steps:\n  - revert: a\n  - name: a\n    inject: {action: kill, target: {role: master}}\n"
    )
    assert problems(tree, text + "budget: {recovery_time_s: 5}\n") == [
        "7: steps.0.revert: revert of 'a' comes before its inject (step 2 ('a'))"
    ]


def test_fault_and_steps_or_neither(tree: Path) -> None:
    both = HEAD + "fault: {action: kill, target: {role: master}}\n" + STEPS
    assert problems(tree, both) == [
        "7: steps: give either 'fault' (one fault) or 'steps' (a schedule), not both"
    ]
    neither = HEAD + "budget: {recovery_time_s: 5}\n"
    assert problems(tree, neither) == [
        "1: a scenario needs 'fault' (one fault) or 'steps' (a schedule)"
    ]


def test_from_step_unknown_or_without_steps(tree: Path) -> None:
    text = HEAD + STEPS.replace("from_step: kill-master", "from_step: kill-it")
    assert problems(tree, text) == [
        "21: recovery.from_step: unknown step 'kill-it' (named steps: lose-sentinel, kill-master)"
    ]
    short = HEAD + "fault: {action: kill, target: {role: master}}\n"
    short += "recovery: {from_step: x}\nbudget: {recovery_time_s: 5}\n"
    assert problems(tree, short) == [
        "7: recovery.from_step: from_step names a step, and this scenario has 'fault:', no steps"
    ]


def test_main_is_reserved_for_probe(tree: Path) -> None:
    text = HEAD.replace("  reads:", "  main:") + STEPS
    assert problems(tree, text) == [
        "5: probes.main: 'main' is the name of 'probe': give extra probes other names"
    ]


def test_zero_loss_budget_checked_on_inject_steps(tree: Path) -> None:
    (tree / "fixtures" / "stacks" / "tiny.yaml").write_text(
        STACK.replace("image:", "topology: {kind: redis-sentinel}\nimage:")
    )
    text = HEAD + STEPS.replace("recovery_time_s: 10", "max_lost_writes: 0")
    [only] = problems(tree, text)
    assert "max_lost_writes: 0 can never hold" in only and "kill of the primary" in only


def test_validate_command_exits_2_with_file_line(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tree, HEAD + "steps:\n  - revert: nope\nbudget: {recovery_time_s: 5}\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.endswith(
        "s.yaml:7: steps.0.revert: revert of 'nope': no inject step is named "
        "'nope' (inject steps: none)"
    )
    assert len(err.splitlines()) == 1


def test_a_multi_line_command_is_described_on_one_short_line() -> None:
    script = "import urllib.request as u\ntry:\n    u.urlopen('http://127.0.0.1/items')\n" + (
        "# padding\n" * 20
    )
    step = RunStep.model_validate(
        {
            "name": "probe-write",
            "run": {"target": {"node": "lb"}, "command": ["python3", "-c", script]},
        }
    )
    text = step.run.describe()
    assert "\n" not in text
    assert text.startswith("python3 -c import urllib.request as u try: u.urlopen(")
    assert text.endswith("… on node lb")
    assert len(text) <= 80 + len(" on node lb")
