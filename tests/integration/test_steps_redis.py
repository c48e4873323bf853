"""Compound Redis scenarios catch what single faults cannot: the real kill-sentinel-then-master
scenario against a deliberately broken stack (Sentinel quorum 3 of 3) FAILs.

The broken stack is the real `redis-sentinel` stack with only the quorum changed, so the test
proves the catch for exactly that misconfiguration (every single-fault scenario passes with it).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]

HEALTHY = "sentinel monitor mymaster redis-1 6379 2\n"
BROKEN = "sentinel monitor mymaster redis-1 6379 3\n"  # quorum = number of Sentinels


def _broken_tree(pytester: pytest.Pytester) -> Path:
    """fixtures/stacks with redis-sentinel's quorum set to 3, and the scenario to run."""
    stacks = pytester.path / "fixtures" / "stacks"
    shutil.copytree(REPO / "fixtures" / "stacks", stacks)
    stack = stacks / "redis-sentinel.yaml"
    text = stack.read_text()
    assert text.count(HEALTHY) == 1
    stack.write_text(text.replace(HEALTHY, BROKEN))
    scenarios = pytester.path / "scenarios"
    scenarios.mkdir()
    shutil.copy(REPO / "scenarios/redis-sentinel/kill-sentinel-then-master.yaml", scenarios)
    return scenarios


def test_quorum_equal_to_sentinels_fails_kill_sentinel_then_master(
    pytester: pytest.Pytester,
) -> None:
    _broken_tree(pytester)
    result = pytester.runpytest_subprocess(
        "scenarios", "-p", "no:cacheprovider", "--hachaos-history-dir", "histories"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*step: 2/4 discovery-survives: ok *",
            "*step: 4/4 failed-over: failed (30.*s) probe main: no 20 consecutive ok ops*",
            "FAIL*redis-sentinel-kill-sentinel-then-master*[[]step-failed[]] step 4 "
            "('failed-over') failed*",
        ]
    )
    [history] = list((pytester.path / "histories").glob("*.jsonl"))
    steps = [json.loads(line) for line in history.read_text().splitlines()]
    outcomes = {s["name"]: s["outcome"] for s in steps if s["type"] == "step"}
    assert outcomes == {
        "lose-sentinel": "ok",
        "discovery-survives": "ok",
        "kill-master": "ok",
        "failed-over": "failed",
    }
    faults = [(s["phase"], s["target"]) for s in steps if s["type"] == "fault"]
    reverted = {target for phase, target in faults if phase == "revert"}
    assert reverted == {target for phase, target in faults if phase == "inject"}
