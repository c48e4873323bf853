"""The pytest plugin end to end: a YAML scenario runs against a real stack and is judged."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

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
            "*[[]redis-sentinel-kill-master[]] boot: nodes ready 6/6 *",
            "*[[]redis-sentinel-kill-master[]] steady state: 20/20 consecutive ok samples",
            "*[[]redis-sentinel-kill-master[]] inject: kill -> redis-*",
            "*[[]redis-sentinel-kill-master[]] recovering: recovered after *s*",
            "*[[]redis-sentinel-kill-master[]] verdict: PASS [[]within-budget[]]*",
            "*hachaos verdicts*",
            "PASS*redis-sentinel-kill-master*",
            "*recovery_time_s=*s (±*s) ≤ 10s*",
        ]
    )
    [res] = [json.loads(p.read_text()) for p in (pytester.path / "allure").glob("*-result.json")]
    steps = [s["name"] for s in res["steps"]]
    assert steps == [
        "boot",
        "clients",
        "steady state",
        "inject",
        "recover",
        "revert",
        "recover",  # after the revert: until clients recover from what the revert did
        "verdict",
        "teardown",
    ]
    params = {p["name"]: p["value"] for p in res["parameters"]}
    assert "≤ 10s" in params["recovery_time_s"]
    assert any(a["name"] == "history" for a in res["attachments"])
    [history] = list((pytester.path / "reports" / "histories").glob("*.jsonl"))
    kinds = {json.loads(line)["type"] for line in history.read_text().splitlines()}
    assert kinds == {"op", "fault"}
    _assert_report_content(pytester, res)


def _assert_report_content(pytester: pytest.Pytester, res: dict[str, Any]) -> None:
    """Verdict table, timeline picture, metrics, environment and the certification record."""
    assert 'class="hachaos-verdict"' in res["descriptionHtml"]
    assert {"name": "scenario", "value": "redis-sentinel-kill-master"} in res["labels"]
    assert "✓" in res["descriptionHtml"]
    [png] = [a for a in res["attachments"] if a["name"] == "timeline"]
    assert (pytester.path / "allure" / png["source"]).read_bytes().startswith(b"\x89PNG")
    [perf] = list((pytester.path / "allure").glob("*-perf.json"))
    keys = {s["key"] for s in json.loads(perf.read_text())}
    assert "redis-sentinel-kill-master/recovery_time_s" in keys
    env = (pytester.path / "allure" / "environment.properties").read_text()
    assert "redis-sentinel.redis = 7." in env
    assert (pytester.path / "allure" / "executor.json").is_file()
    record = json.loads((pytester.path / "reports" / "certification.json").read_text())
    nodes = record["stacks"]["redis-sentinel"]["nodes"]
    assert nodes["redis-1"]["software"]["redis"].startswith("7.")
    assert nodes["redis-1"]["image_hash"]
    [run] = record["scenarios"]["redis-sentinel-kill-master"]["runs"]
    assert run["outcome"] == "pass"


REPORTS = ("--junitxml", "junit.xml", "--alluredir", "allure", "-p", "no:cacheprovider")


def _junit_case(pytester: pytest.Pytester) -> ET.Element:
    [case] = ET.parse(pytester.path / "junit.xml").getroot().iter("testcase")
    return case


def _allure_result(pytester: pytest.Pytester) -> dict[str, Any]:
    [res] = [json.loads(p.read_text()) for p in (pytester.path / "allure").glob("*-result.json")]
    return res


def _categories_of(pytester: pytest.Pytester, res: dict[str, Any]) -> list[str]:
    """Names of the shipped categories whose status and regex match (Java full-match rules)."""
    cats = json.loads((pytester.path / "allure" / "categories.json").read_text())
    message = str(res.get("statusDetails", {}).get("message", ""))
    return [
        c["name"]
        for c in cats
        if res["status"] in c["matchedStatuses"]
        and ("messageRegex" not in c or re.fullmatch(c["messageRegex"], message))
    ]


def test_unreachable_budget_fails_with_the_measurement(pytester: pytest.Pytester) -> None:
    scenarios = _tree(pytester)
    text = (REPO / "scenarios/redis-sentinel/kill-master.yaml").read_text()
    (scenarios / "too-strict.yaml").write_text(
        text.replace("recovery_time_s: 10", "recovery_time_s: 0.1")
    )
    result = pytester.runpytest_subprocess("scenarios", *REPORTS)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["FAIL*recovery-too-slow*", "*recovery_time_s=*s (±*s) > 0.1s*"])
    assert "Traceback" not in result.stdout.str()
    case = _junit_case(pytester)
    assert case.find("failure") is not None and case.find("error") is None
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["verdict"] == "fail"
    assert float(props["recovery_time_s"] or "nan") > 0.1
    assert props["recovery_time_s.budget"] == "0.1"
    assert props["recovery_time_s.ok"] == "false"
    assert str(props["seed"]).isdigit() and str(props["run_id"]).startswith("hc-")
    res = _allure_result(pytester)
    assert res["status"] == "failed"
    assert _categories_of(pytester, res) == ["System under test failed its budget"]


NEVER_READY = """\
name: never-ready
image: hachaos/tools:latest
ready_timeout_s: 3
nodes:
  a:
    role: app
    command: [sh, -c, "echo starting the never-ready service; exec sleep infinity"]
    ready:
      - exec: [test, -e, /ready]
"""

NO_LISTENER = """\
name: no-listener
image: hachaos/tools:latest
ready_timeout_s: 10
nodes:
  a:
    role: app
    command: [sleep, infinity]
    ports: [9]        # reached (directly, or through Docker's proxy), but nothing listens
"""


def _tcp_scenario(name: str, stack: str) -> str:
    return (
        f"name: {name}\nstack: {stack}\n"
        "probe: {type: tcp, target: {node: a, port: 9}, interval_ms: 50, timeout_ms: 200}\n"
        "steady_state: {samples: 5, timeout_s: 2}\n"
        "fault: {action: pause, target: {node: a}, duration_s: 1}\n"
        "budget: {recovery_time_s: 5}\n"
    )


def test_infrastructure_problem_is_a_setup_error_not_a_verdict(
    pytester: pytest.Pytester,
) -> None:
    scenarios = _tree(pytester)
    (pytester.path / "fixtures" / "stacks" / "never-ready.yaml").write_text(NEVER_READY)
    (scenarios / "boot-fails.yaml").write_text(_tcp_scenario("boot-fails", "never-ready"))
    result = pytester.runpytest_subprocess("scenarios", *REPORTS)
    result.assert_outcomes(errors=1)
    out = result.stdout.str()
    assert "boot: stack 'never-ready' did not become healthy" in out
    assert "hachaos: 0 pass, 0 fail, 0 inconclusive, 1 error (infrastructure)" in out
    assert "starting the never-ready service" in out
    assert "Traceback" not in out
    case = _junit_case(pytester)
    assert case.find("error") is not None and case.find("failure") is None
    res = _allure_result(pytester)
    assert res["status"] == "broken"
    assert _categories_of(pytester, res) == ["Infrastructure (boot, image, engine, client setup)"]


def test_inconclusive_is_its_own_outcome(pytester: pytest.Pytester) -> None:
    scenarios = _tree(pytester)
    (pytester.path / "fixtures" / "stacks" / "no-listener.yaml").write_text(NO_LISTENER)
    (scenarios / "never-steady.yaml").write_text(_tcp_scenario("never-steady", "no-listener"))
    result = pytester.runpytest_subprocess("scenarios", *REPORTS)
    assert result.parseoutcomes() == {"inconclusive": 1}
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    assert "hachaos: 0 pass, 0 fail, 1 inconclusive, 0 error" in result.stdout.str()
    result.stdout.fnmatch_lines(["INCONCLUSIVE*never-steady*[[]not-steady[]]*"])
    case = _junit_case(pytester)
    props = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert props["verdict"] == "inconclusive"
    assert case.find("failure") is not None
    res = _allure_result(pytester)
    assert _categories_of(pytester, res) == ["Inconclusive (could not be judged: never a pass)"]
    [bundle] = [s for s in res["steps"] if s["name"] == "support bundle"]
    names = {a["name"] for a in bundle["attachments"]}
    assert "logs a" in names  # collected before teardown, because the run did not pass
    result.stdout.fnmatch_lines(["*[[]never-steady[]] steady state: 0/5 consecutive ok samples"])
    skipped = pytester.runpytest_subprocess(
        "scenarios", "--hachaos-inconclusive=skip", "-q", "-p", "no:cacheprovider"
    )
    assert skipped.ret == pytest.ExitCode.OK
    assert skipped.parseoutcomes() == {"inconclusive": 1}
    assert "[never-steady] steady state:" not in skipped.stdout.str()  # -q: verdicts only


def test_bad_scenario_reports_file_line_without_traceback(pytester: pytest.Pytester) -> None:
    scenarios = _tree(pytester)
    (scenarios / "bad.yaml").write_text(
        "name: bad\nstack: redis-sentinel\nprobe: {type: redis-sentinel-write}\n"
        "fault: {action: kill, target: {node: redis-9}}\nbudget: {}\n"
    )
    result = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)  # a bad file is not a verdict about the system
    out = result.stdout.str()
    assert "bad.yaml:4: unknown node 'redis-9'" in out
    assert "bad.yaml:5: budget:" in out
    assert "Traceback" not in out
