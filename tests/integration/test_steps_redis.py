"""Compound Redis scenarios catch what single faults cannot: the real kill-sentinel-then-master
scenario against a deliberately broken stack FAILs, for each misconfiguration it names: a
Sentinel quorum equal to their number (3 of 3), and a single Sentinel.

Each broken stack is the real `redis-sentinel` stack with only that changed, so the test proves
the catch for exactly that misconfiguration (every single-fault scenario passes with it).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]

HEALTHY = "sentinel monitor mymaster redis-1 6379 2\n"
BROKEN = "sentinel monitor mymaster redis-1 6379 3\n"  # quorum = number of Sentinels
OTHER_SENTINELS = "  sentinel-2: *sentinel\n  sentinel-3: *sentinel\n"
SEES_TWO = "num-other-sentinels 2 "


def _quorum_of_all(text: str) -> str:
    assert text.count(HEALTHY) == 1
    return text.replace(HEALTHY, BROKEN)


def _single_sentinel(text: str) -> str:
    """One Sentinel, configured as one would be (quorum 1, ready with no other Sentinel)."""
    for part in (HEALTHY, OTHER_SENTINELS, SEES_TWO):
        assert text.count(part) == 1
    text = text.replace(HEALTHY, "sentinel monitor mymaster redis-1 6379 1\n")
    text = text.replace(OTHER_SENTINELS, "")
    return text.replace(SEES_TWO, "num-other-sentinels 0 ")


def _broken_tree(pytester: pytest.Pytester, breakage: Callable[[str], str]) -> Path:
    """fixtures/stacks with redis-sentinel.yaml passed through `breakage`, and the scenario."""
    stacks = pytester.path / "fixtures" / "stacks"
    shutil.copytree(REPO / "fixtures" / "stacks", stacks)
    stack = stacks / "redis-sentinel.yaml"
    stack.write_text(breakage(stack.read_text()))
    scenarios = pytester.path / "scenarios"
    scenarios.mkdir()
    shutil.copy(REPO / "scenarios/redis-sentinel/kill-sentinel-then-master.yaml", scenarios)
    return scenarios


def _fails(
    pytester: pytest.Pytester, breakage: Callable[[str], str], lines: list[str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Run the scenario on the broken tree: it must FAIL printing `lines`; the history's step
    outcomes by name and its (phase, target) fault records."""
    _broken_tree(pytester, breakage)
    result = pytester.runpytest_subprocess(
        "scenarios", "-p", "no:cacheprovider", "--hachaos-history-dir", "histories"
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(lines)
    [history] = list((pytester.path / "histories").glob("*.jsonl"))
    steps = [json.loads(line) for line in history.read_text().splitlines()]
    outcomes = {s["name"]: s["outcome"] for s in steps if s["type"] == "step"}
    faults = [(s["phase"], s["target"]) for s in steps if s["type"] == "fault"]
    return outcomes, faults


def test_quorum_equal_to_sentinels_fails_kill_sentinel_then_master(
    pytester: pytest.Pytester,
) -> None:
    outcomes, faults = _fails(
        pytester,
        _quorum_of_all,
        [
            "*step: 2/4 discovery-survives: ok *",
            "*step: 4/4 failed-over: failed (30.*s) probe main: no 20 consecutive ok ops*",
            "FAIL*redis-sentinel-kill-sentinel-then-master*[[]step-failed[]] step 4 "
            "('failed-over') failed*",
        ],
    )
    assert outcomes == {
        "lose-sentinel": "ok",
        "discovery-survives": "ok",
        "kill-master": "ok",
        "failed-over": "failed",
    }
    reverted = {target for phase, target in faults if phase == "revert"}
    assert reverted == {target for phase, target in faults if phase == "inject"}


def test_single_sentinel_fails_kill_sentinel_then_master(pytester: pytest.Pytester) -> None:
    outcomes, faults = _fails(
        pytester,
        _single_sentinel,
        [
            "*step: 1/4 lose-sentinel: ok*",
            "*step: 2/4 discovery-survives: failed (10.*s) probe main: no 40 consecutive ok ops*",
            "FAIL*redis-sentinel-kill-sentinel-then-master*[[]step-failed[]] step 2 "
            "('discovery-survives') failed*",
        ],
    )
    assert outcomes["lose-sentinel"] == "ok"
    assert outcomes["discovery-survives"] == "failed"
    assert outcomes.get("kill-master") != "ok"  # the schedule stopped: the master was not killed
    assert {target for phase, target in faults if phase == "inject"} == {"sentinel-1"}
    reverted = {target for phase, target in faults if phase == "revert"}
    assert reverted == {"sentinel-1"}
