"""Matrix scenarios: one point per value, values checked against the stack's choices, per-point
references and picks, and one pytest item per point (collected without Docker)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hachaos.errors import ConfigError
from hachaos.plugin.items import history_path
from hachaos.spec.loader import load_scenario, load_scenario_points

pytest_plugins = ["pytester"]

STACK = """\
name: ring
image: hachaos/tools:latest
parameters:
  size: {default: 3, choices: [1, 3, 5], notes: {"1": "not HA"}}
node_templates:
  server: {count: size, node: {role: app}}
nodes:
  lb: {role: lb}
"""

SCENARIO = """\
name: ring-lose
stack: ring
matrix:
  size: [1, 3, 5]
probe: {type: tcp, target: {node: lb, port: 80}}
fault:
  action: kill
  target: {role: app, pick: majority}
budget: {recovery_time_s: 5}
"""


def tree(root: Path, scenario: str = SCENARIO) -> Path:
    (root / "fixtures" / "stacks").mkdir(parents=True, exist_ok=True)
    (root / "fixtures" / "stacks" / "ring.yaml").write_text(STACK)
    (root / "scenarios").mkdir(exist_ok=True)
    path = root / "scenarios" / "s.yaml"
    path.write_text(textwrap.dedent(scenario))
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    return [f"{p.line}: {p.message}" for p in exc.value.problems]


def test_one_point_per_value_with_its_stack_and_notes(tmp_path: Path) -> None:
    loaded = load_scenario_points(tree(tmp_path))
    assert [p.label for p in loaded] == [
        "ring-lose[size=1]",
        "ring-lose[size=3]",
        "ring-lose[size=5]",
    ]
    assert [len(p.stack.nodes_with_role(p.stack.nodes["lb"].role.APP)) for p in loaded] == [1, 3, 5]
    assert loaded[0].notes == ("size=1: not HA",) and loaded[1].notes == ()
    assert loaded[2].stack.parameter_values == {"size": 5}


def test_stack_params_fix_a_value(tmp_path: Path) -> None:
    text = SCENARIO.replace("matrix:\n  size: [1, 3, 5]\n", "stack_params: {size: 1}\n")
    text += "notes: [the database is the operator's]\n"
    [only] = load_scenario_points(tree(tmp_path, text))
    assert only.label == "ring-lose" and len(only.stack.nodes) == 2
    assert only.notes == ("size=1: not HA", "the database is the operator's")


def test_matrix_value_outside_the_choices_is_an_error_on_its_line(tmp_path: Path) -> None:
    text = SCENARIO.replace("  size: [1, 3, 5]\n", "  size:\n    - 3\n    - 4\n")
    assert errors(tree(tmp_path, text)) == [
        "6: matrix.size: 4 is not one of the stack's choices (1, 3, 5)"
    ]


def test_unknown_parameter_and_wrong_type(tmp_path: Path) -> None:
    text = SCENARIO.replace(
        "matrix:\n  size: [1, 3, 5]\n", 'stack_params: {sise: 3}\nmatrix: {size: ["3"]}\n'
    )
    assert errors(tree(tmp_path, text)) == [
        "3: stack_params.sise: the stack has no parameter 'sise' (parameters: size)",
        "4: matrix.size: '3' is not one of the stack's choices (1, 3, 5)",
    ]


def test_a_parameter_set_twice_and_an_empty_matrix(tmp_path: Path) -> None:
    text = SCENARIO.replace(
        "matrix:\n  size: [1, 3, 5]\n", "stack_params: {size: 3}\nmatrix: {size: [3]}\n"
    )
    assert errors(tree(tmp_path, text)) == ["4: matrix.size: 'size' is also set in stack_params"]
    text = SCENARIO.replace("  size: [1, 3, 5]\n", "  size: []\n")
    assert errors(tree(tmp_path, text)) == [
        "4: matrix.size: a matrix parameter needs at least one value"
    ]


def test_a_pick_that_selects_nobody_at_one_point_names_it(tmp_path: Path) -> None:
    text = SCENARIO.replace("pick: majority", "pick: tolerable")
    assert errors(tree(tmp_path, text)) == [
        "8: pick 'tolerable' of 1 node(s) selects no node: use 'one' or 'all' (with size=1)"
    ]


def test_a_node_only_some_points_have(tmp_path: Path) -> None:
    text = SCENARIO.replace("{node: lb, port: 80}", "{node: server-3, port: 80}")
    [error] = errors(tree(tmp_path, text))
    assert error.startswith("5: unknown node 'server-3' in stack 'ring' (nodes: server-1, lb)")
    assert error.endswith("(with size=1)")


def test_history_file_names_carry_the_point(tmp_path: Path) -> None:
    assert (
        history_path(tmp_path, "ring-lose", "hc-1", "size=3").name == "ring-lose-size-3-hc-1.jsonl"
    )
    assert history_path(tmp_path, "ring-lose", "hc-1").name == "ring-lose-hc-1.jsonl"
    assert history_path(tmp_path, "ring-lose", "hc-1", "../x=/..").name == "ring-lose-x-hc-1.jsonl"


def test_one_item_per_point_and_repeat(pytester: pytest.Pytester) -> None:
    tree(pytester.path)
    result = pytester.runpytest_subprocess(
        "scenarios", "--collect-only", "-q", "--hachaos-repeat", "2", "-p", "no:cacheprovider"
    )
    result.stdout.fnmatch_lines(
        [
            "*ring-lose[[]size=1,run-1-of-2[]]",
            "*ring-lose[[]size=1,run-2-of-2[]]",
            "*ring-lose[[]size=3,run-1-of-2[]]",
            "*ring-lose[[]size=3,run-2-of-2[]]",
            "*ring-lose[[]size=5,run-1-of-2[]]",
            "*ring-lose[[]size=5,run-2-of-2[]]",
            "6 tests collected*",
        ]
    )


def test_a_bad_matrix_value_is_one_error_item(pytester: pytest.Pytester) -> None:
    tree(pytester.path, SCENARIO.replace("[1, 3, 5]", "[1, 2]"))
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["*s.yaml:4: matrix.size: 2 is not one of the stack's choices*"])
    assert result.ret != 0
