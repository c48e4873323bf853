"""benchmarks/catalog_repeat.py: JUnit outcomes and recovery times, without running pytest."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "catalog_repeat", ROOT / "benchmarks" / "catalog_repeat.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalog_repeat"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


cr = _load()

JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" errors="2" failures="3" skipped="1" tests="8" time="420">
<testcase classname="scenarios.rabbitmq.pause-leader.yaml" name="rabbitmq-pause-leader"
          file="scenarios/rabbitmq/pause-leader.yaml" time="95.5">
  <properties>
    <property name="recovery_time_s" value="recovery_time_s=12.4s (±0.05s) ≤ 20s"/>
    <property name="verdict" value="pass"/>
  </properties>
</testcase>
<testcase classname="scenarios.rabbitmq.kill-leader.yaml" name="rabbitmq-kill-leader" time="80">
  <properties>
    <property name="recovery_time_s" value="recovery_time_s=11.2s (±0.05s) &gt; 10s"/>
    <property name="verdict" value="fail"/>
  </properties>
  <failure message="FAIL rabbitmq-kill-leader [over-budget] recovery took 11.2s">x</failure>
</testcase>
<testcase classname="scenarios.redis-sentinel.kill-master.yaml" name="redis-kill" time="30">
  <properties>
    <property name="recovery_time_s" value="recovery_time_s=n/a"/>
    <property name="verdict" value="inconclusive"/>
  </properties>
  <failure message="INCONCLUSIVE redis-kill [no-steady-state] only 3 ops">x</failure>
</testcase>
<testcase classname="scenarios.postgres.kill-primary.yaml" name="pg-kill" time="5">
  <error message="failed on setup with &quot;boot: stack did not become healthy&quot;">x</error>
</testcase>
<testcase classname="scenarios.postgres.stop-replica.yaml" name="pg-stop" time="50">
  <failure message="run: cannot read the ledger">x</failure>
</testcase>
<testcase classname="suites.test_redis_sentinel_rejoin" name="test_rejoin" time="40">
  <failure message="AssertionError: not rejoined">x</failure>
</testcase>
<testcase classname="suites.test_redis_sentinel_rejoin" name="test_other" time="1">
  <skipped message="no docker">x</skipped>
</testcase>
<testcase classname="suites.test_redis_sentinel_rejoin" name="test_fine" time="2"/>
</testsuite></testsuites>
"""


@pytest.fixture
def cases(tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "run-1.xml"
    path.write_text(JUNIT, encoding="utf-8")
    return {c.name: c for c in cr.parse_junit(path)}


def test_outcomes_come_from_the_verdict_property_and_the_elements(
    cases: dict[str, object],
) -> None:
    outcomes = {name: c.outcome for name, c in cases.items()}  # type: ignore[attr-defined]
    assert outcomes == {
        "rabbitmq-pause-leader": "PASS",
        "rabbitmq-kill-leader": "FAIL",
        "redis-kill": "INCONCLUSIVE",  # a <failure>, but the verdict says inconclusive
        "pg-kill": "ERROR",  # setup: infrastructure
        "pg-stop": "ERROR",  # a scenario that never reached a verdict
        "test_rejoin": "FAIL",  # a plain test's failure is a failure
        "test_other": "SKIP",
        "test_fine": "PASS",
    }


def test_recovery_time_is_read_from_the_property(cases: dict[str, object]) -> None:
    recovery = {n: c.recovery_s for n, c in cases.items()}  # type: ignore[attr-defined]
    assert recovery["rabbitmq-pause-leader"] == pytest.approx(12.4)
    assert recovery["rabbitmq-kill-leader"] == pytest.approx(11.2)
    assert recovery["redis-kill"] is None  # n/a
    assert recovery["pg-kill"] is None


@pytest.mark.parametrize(
    ("rendered", "seconds"),
    [
        ("recovery_time_s=2.31s (±0.05s) ≤ 10s", 2.31),
        ("recovery_time_s=3s ≤ 10s", 3.0),
        ("recovery_time_s=0.0123s", 0.0123),
        ("recovery_time_s=1.2e-05s", 1.2e-05),
        ("recovery_time_s=n/a", None),
        ("2.31", 2.31),
        ("nan", None),
        (None, None),
    ],
)
def test_seconds_of_a_rendered_measurement(rendered: str | None, seconds: float | None) -> None:
    assert cr.seconds_of(rendered) == (pytest.approx(seconds) if seconds else None)


def test_table_counts_and_distribution(tmp_path: Path) -> None:
    path = tmp_path / "run.xml"
    path.write_text(JUNIT, encoding="utf-8")
    one = cr.CatalogRun(1, 400.0, 1, cr.parse_junit(path), "")
    faster = JUNIT.replace("12.4s", "8.0s").replace('"fail"', '"pass"')
    path.write_text(faster, encoding="utf-8")
    two = cr.CatalogRun(2, 390.0, 1, cr.parse_junit(path), "")
    lines = cr.table([one, two])
    (pause,) = [line for line in lines if line.startswith("rabbitmq-pause-leader")]
    assert pause.split()[1:6] == ["2", "0", "0", "0", "0"]
    assert "8.00 / 10.20 / 12.40  (n=2)" in pause
    (kill,) = [line for line in lines if line.startswith("rabbitmq-kill-leader")]
    assert kill.split()[1:6] == ["1", "1", "0", "0", "0"]
    problems = cr.not_passed([one])
    assert 'run 1: pg-kill: ERROR: failed on setup with "boot: stack did not become healthy"' in (
        problems
    )
    assert len(problems) == 6


def test_the_command_is_the_chaos_selection_with_junit(tmp_path: Path) -> None:
    cmd = cr.pytest_command(["scenarios", "suites"], tmp_path / "j.xml", ["-k", "rabbit"])
    assert cmd[1:8] == ["-m", "pytest", "scenarios", "suites", "-p", "no:cacheprovider", "-m"]
    assert cmd[8] == "chaos"
    assert ["--junitxml", str(tmp_path / "j.xml")] == cmd[9:11]
    assert cmd[-2:] == ["-k", "rabbit"]


def test_arguments_after_double_dash_go_to_pytest() -> None:
    args, extra = cr._args(["--runs", "2", "scenarios/rabbitmq", "--", "-k", "pause"])
    assert (args.runs, args.paths, extra) == (2, ["scenarios/rabbitmq"], ["-k", "pause"])
    args, extra = cr._args([])
    assert (args.runs, args.paths, extra) == (3, ["scenarios", "suites"], [])
    with pytest.raises(SystemExit):
        cr._args(["--runs", "0"])
