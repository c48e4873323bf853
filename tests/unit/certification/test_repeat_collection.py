"""--hachaos-repeat: N items per scenario, each its own run (collected without Docker)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
pytest_plugins = ["pytester"]


def _tree(pytester: pytest.Pytester) -> None:
    shutil.copytree(REPO / "fixtures" / "stacks", pytester.path / "fixtures" / "stacks")
    (pytester.path / "scenarios").mkdir()
    shutil.copy(REPO / "scenarios/redis-sentinel/kill-master.yaml", pytester.path / "scenarios")


def test_repeat_collects_one_item_per_run(pytester: pytest.Pytester) -> None:
    _tree(pytester)
    result = pytester.runpytest_subprocess(
        "scenarios", "--collect-only", "-q", "--hachaos-repeat", "3", "-p", "no:cacheprovider"
    )
    result.stdout.fnmatch_lines(
        [
            "*redis-sentinel-kill-master[[]run-1-of-3[]]",
            "*redis-sentinel-kill-master[[]run-2-of-3[]]",
            "*redis-sentinel-kill-master[[]run-3-of-3[]]",
            "3 tests collected*",
        ]
    )


def test_repeat_must_be_positive(pytester: pytest.Pytester) -> None:
    _tree(pytester)
    result = pytester.runpytest_subprocess("scenarios", "--collect-only", "--hachaos-repeat", "0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--hachaos-repeat*invalid*"])
