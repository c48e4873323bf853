"""The pytest plugin end to end: a YAML scenario runs against a real stack and is judged."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]


def _tree(pytester: pytest.Pytester) -> Path:
    shutil.copytree(REPO / "fixtures" / "stacks", pytester.path / "fixtures" / "stacks")
    (pytester.path / "scenarios").mkdir()
    return pytester.path / "scenarios"


def test_kill_master_scenario_passes_with_numbers_and_allure(pytester: pytest.Pytester) -> None:
    scenarios = _tree(pytester)
    shutil.copy(REPO / "scenarios/redis-sentinel/kill-master.yaml", scenarios)
    result = pytester.runpytest_subprocess(
        "scenarios", "--alluredir", "allure", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*hachaos verdicts*",
            "PASS*redis-sentinel-kill-master*",
            "*recovery_time_s=*s (±*s) ≤ 10s*",
        ]
    )
    [res] = [json.loads(p.read_text()) for p in (pytester.path / "allure").glob("*-result.json")]
    steps = [s["name"] for s in res["steps"]]
    assert steps == ["boot", "steady state", "inject", "recover", "revert", "verdict", "teardown"]
    params = {p["name"]: p["value"] for p in res["parameters"]}
    assert "≤ 10s" in params["recovery_time_s"]
    assert any(a["name"] == "history" for a in res["attachments"])
    [history] = list((pytester.path / "reports" / "histories").glob("*.jsonl"))
    kinds = {json.loads(line)["type"] for line in history.read_text().splitlines()}
    assert kinds == {"op", "fault"}


def test_unreachable_budget_fails_with_the_measurement(pytester: pytest.Pytester) -> None:
    scenarios = _tree(pytester)
    text = (REPO / "scenarios/redis-sentinel/kill-master.yaml").read_text()
    (scenarios / "too-strict.yaml").write_text(
        text.replace("recovery_time_s: 10", "recovery_time_s: 0.1")
    )
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["FAIL*recovery-too-slow*", "*recovery_time_s=*s (±*s) > 0.1s*"])
    assert "Traceback" not in result.stdout.str()


def test_bad_scenario_reports_file_line_without_traceback(pytester: pytest.Pytester) -> None:
    scenarios = _tree(pytester)
    (scenarios / "bad.yaml").write_text(
        "name: bad\nstack: redis-sentinel\nprobe: {type: redis-sentinel-write}\n"
        "fault: {action: kill, target: {node: redis-9}}\nbudget: {}\n"
    )
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "bad.yaml:4: unknown node 'redis-9'" in out
    assert "bad.yaml:5: budget:" in out
    assert "Traceback" not in out
