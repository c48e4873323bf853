"""Stack and scenario validation: every problem as file:line, no traceback, all of them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hachaos.errors import ConfigError
from hachaos.spec.loader import load_scenario, load_stack

REPO = Path(__file__).resolve().parents[3]

STACK = """\
name: tiny
image: hachaos/tools:latest
nodes:
  a:
    role: primary
    command: [sleep, infinity]
  b:
    role: replica
    command: [sleep, infinity]
"""

SCENARIO = """\
name: tiny-kill
stack: tiny
probe:
  type: redis-sentinel-write
fault:
  action: kill
  target: {role: primary}
budget:
  recovery_time_s: 5
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "fixtures" / "stacks").mkdir(parents=True)
    (tmp_path / "fixtures" / "stacks" / "tiny.yaml").write_text(STACK)
    (tmp_path / "scenarios").mkdir()
    return tmp_path


def write(tree: Path, text: str, name: str = "s.yaml") -> Path:
    path = tree / "scenarios" / name
    path.write_text(textwrap.dedent(text))
    return path


def problems(exc: pytest.ExceptionInfo[ConfigError]) -> list[str]:
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in exc.value.problems]


def test_valid_scenario_loads(tree: Path) -> None:
    loaded = load_scenario(write(tree, SCENARIO))
    assert loaded.spec.budget.recovery_time_s == 5
    assert loaded.stack.name == "tiny"


def test_repo_files_are_valid() -> None:
    for path in sorted((REPO / "scenarios").rglob("*.yaml")):
        load_scenario(path)
    for path in sorted((REPO / "fixtures" / "stacks").glob("*.yaml")):
        load_stack(path)


def test_malformed_yaml_names_the_line(tree: Path) -> None:
    path = write(tree, "name: x\nstack: tiny\nprobe: [unclosed\nfault: {}\n")
    with pytest.raises(ConfigError) as exc:
        load_scenario(path)
    [only] = problems(exc)
    assert only.startswith("s.yaml:4: malformed YAML")


@pytest.mark.parametrize("text", ["", "# only a comment\n"])
def test_empty_file_is_an_error_at_line_1(tree: Path, text: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, text))
    assert problems(exc) == ["s.yaml:1: file is empty: expected a mapping"]


def test_non_mapping_is_an_error_at_line_1(tree: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, "- a\n- b\n"))
    assert problems(exc) == ["s.yaml:1: expected a mapping at the top level, got list"]


def test_unknown_key_wrong_type_and_bad_budget_all_reported(tree: Path) -> None:
    text = SCENARIO.replace("name: tiny-kill", "name: tiny-kill\ncolour: blue")
    text = text.replace(
        "type: redis-sentinel-write", "type: redis-sentinel-write\n  interval_ms: fast"
    )
    text = text.replace("recovery_time_s: 5", "recovery_time_s: -1")
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, text))
    found = problems(exc)
    assert found[0] == "s.yaml:2: unknown key 'colour'"
    assert found[1].startswith("s.yaml:6: probe.interval_ms: Input should be a valid integer")
    assert "'fast'" in found[1]
    assert found[2].startswith("s.yaml:11: budget.recovery_time_s:")
    assert "-1" in found[2]
    assert len(found) == 3


def test_missing_budget(tree: Path) -> None:
    text = SCENARIO.split("budget:", maxsplit=1)[0]
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, text))
    assert problems(exc) == ["s.yaml:1: missing required key 'budget'"]


def test_budget_without_limits(tree: Path) -> None:
    text = SCENARIO.replace("  recovery_time_s: 5\n", "  expect: available\n")
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, text))
    assert "budget" in problems(exc)[0]


def test_unknown_stack(tree: Path) -> None:
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, SCENARIO.replace("stack: tiny", "stack: nope")))
    [only] = problems(exc)
    assert only.startswith("s.yaml:2: unknown stack 'nope' (looked in ")


def test_unknown_node_and_role(tree: Path) -> None:
    node = SCENARIO.replace("target: {role: primary}", "target: {node: zz}")
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, node))
    assert problems(exc) == ["s.yaml:7: unknown node 'zz' in stack 'tiny' (nodes: a, b)"]
    role = SCENARIO.replace("target: {role: primary}", "target: {role: sentinel}")
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, role, "r.yaml"))
    assert problems(exc) == [
        "r.yaml:7: no node has role 'sentinel' in stack 'tiny' (roles: primary, replica)"
    ]


def test_unknown_probe_type_and_fault_action(tree: Path) -> None:
    text = SCENARIO.replace("redis-sentinel-write", "carrier-pigeon").replace("kill", "nuke")
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, text))
    found = problems(exc)
    assert found == [
        "s.yaml:4: probe.type: unknown type 'carrier-pigeon' (expected one of "
        "'redis-sentinel-write', 'redis-sentinel-discovery-write', 'tcp', 'http', 'sql', "
        "'amqp-publish', 'http-write', 'http-read', 'build')",
        "s.yaml:6: fault.action: unknown action 'nuke' (expected one of "
        "'kill', 'stop', 'pause', 'restart', 'partition', 'link')",
    ]


def test_stack_problems_carry_the_stack_file(tree: Path) -> None:
    stack = tree / "fixtures" / "stacks" / "tiny.yaml"
    stack.write_text(STACK.replace("role: replica", "role: wizard"))
    with pytest.raises(ConfigError) as exc:
        load_scenario(write(tree, SCENARIO))
    [only] = problems(exc)
    assert only.startswith("tiny.yaml:8: nodes.b.role: Input should be 'primary'")
    assert "'wizard'" in only
    stack.write_text(STACK.replace("  a:", "  A_1:"))
    with pytest.raises(ConfigError) as exc:
        load_stack(stack)
    assert problems(exc) == [
        "tiny.yaml:4: nodes.A_1: name 'A_1' must be 1-63 lower-case letters, digits and '-' "
        "(a letter or digit at both ends)"
    ]


def test_duplicate_key_and_dependency_cycle(tree: Path) -> None:
    dup = tree / "dup.yaml"
    dup.write_text(STACK + "name: again\n")
    with pytest.raises(ConfigError) as exc:
        load_stack(dup)
    assert problems(exc) == ["dup.yaml:10: duplicate key 'name'"]
    cyc = tree / "cyc.yaml"
    cyc.write_text(
        STACK.replace("    role: primary\n", "    role: primary\n    depends_on: [b]\n").replace(
            "    role: replica\n", "    role: replica\n    depends_on: [a]\n"
        )
    )
    with pytest.raises(ConfigError) as exc:
        load_stack(cyc)
    assert "cycle among a, b" in problems(exc)[0]
