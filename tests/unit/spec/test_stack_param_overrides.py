"""--hachaos-stack-param: stack parameter values from the command line, applied where the
scenario's stack declares them and the scenario leaves them open (collected without Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.errors import ConfigError
from hachaos.spec.loader import load_scenario_points
from hachaos.spec.matrix import Point
from hachaos.spec.overrides import apply_overrides, parse_assignment
from hachaos.spec.params import StackHead

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[3]
PLATFORM = ROOT / "scenarios" / "platform"
HEAD = StackHead.model_validate(
    {
        "parameters": {
            "version": {"default": 1, "choices": [1, 2]},
            "upgrade_to": {"default": "2", "choices": ["2", "2-contract"]},
        }
    }
)


def test_values_take_the_type_of_the_parameter() -> None:
    out = apply_overrides(Point(), HEAD, {"version": "2", "upgrade_to": "2"}, "platform")
    assert out.point.values == {"version": 2, "upgrade_to": "2"}
    assert out.notes == (
        "version=2 (--hachaos-stack-param)",
        "upgrade_to=2 (--hachaos-stack-param)",
    )
    assert out.problems == ()


def test_the_scenario_keeps_a_value_it_sets_and_says_so() -> None:
    out = apply_overrides(Point({"version": 1}), HEAD, {"version": "2"}, "platform")
    assert out.point.values == {"version": 1}
    assert out.notes == (
        "--hachaos-stack-param version=2 not applied: the scenario sets version=1",
    )


def test_a_parameter_the_stack_does_not_declare_is_left_alone() -> None:
    out = apply_overrides(Point({"version": 1}), HEAD, {"size": "5"}, "platform")
    assert out.point == Point({"version": 1}) and out.notes == () and out.problems == ()


def test_a_value_the_stack_does_not_accept_is_a_command_line_problem() -> None:
    out = apply_overrides(Point(), HEAD, {"version": "3"}, "platform")
    (problem,) = out.problems
    assert problem.file == "<command line>"
    assert "--hachaos-stack-param version=3: stack 'platform'" in problem.message
    assert "not one of the stack's choices (1, 2)" in problem.message


@pytest.mark.parametrize("text", ["version", "=2", ""])
def test_an_assignment_needs_a_name_and_an_equals_sign(text: str) -> None:
    with pytest.raises(ValueError, match="NAME=VALUE"):
        parse_assignment(text)


def test_platform_scenarios_run_on_the_release_given() -> None:
    (loaded,) = load_scenario_points(PLATFORM / "kill-redis-master.yaml", (), {"version": "2"})
    assert loaded.stack.nodes["app-1"].env["PLATFORM_VERSION"] == "2"
    assert loaded.label == "platform-kill-redis-master"  # compared by name with release 1
    assert "version=2 (--hachaos-stack-param)" in loaded.notes


def test_the_rolling_upgrade_always_starts_on_release_1() -> None:
    (loaded,) = load_scenario_points(PLATFORM / "rolling-upgrade.yaml", (), {"version": "2"})
    assert loaded.stack.nodes["app-2"].env["PLATFORM_VERSION"] == "1"
    assert loaded.notes[0].endswith("not applied: the scenario sets version=1")


def test_the_broken_release_is_named_with_every_verdict() -> None:
    given = {"upgrade_to": "2-contract"}
    (loaded,) = load_scenario_points(PLATFORM / "rolling-upgrade.yaml", (), given)
    assert loaded.stack.nodes["app-1"].env["PLATFORM_UPGRADE_TO"] == "2-contract"
    assert any(n.startswith("upgrade_to=2-contract: BROKEN on purpose") for n in loaded.notes)


def test_a_bad_value_fails_the_scenario_file() -> None:
    with pytest.raises(ConfigError, match=r"<command line>:1: --hachaos-stack-param version=9"):
        load_scenario_points(PLATFORM / "stop-app-node.yaml", (), {"version": "9"})


def test_an_option_no_collected_stack_declares_is_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    scenario = str(PLATFORM / "stop-app-node.yaml")
    result = pytester.runpytest(
        scenario, "--collect-only", "-q", "--hachaos-stack-param", "verison=2"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--hachaos-stack-param verison: no collected scenario's stack has a parameter*"]
    )
    ok = pytester.runpytest(scenario, "--collect-only", "-q", "--hachaos-stack-param", "version=2")
    assert ok.ret == pytest.ExitCode.OK
