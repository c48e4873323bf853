"""The conformance plugin without Docker: no target skips with the reason, a bad target is a
one-line usage error before anything boots, and the ids and Allure labels of planned checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
pytest_plugins = ["pytester"]


def _suite(pytester: pytest.Pytester) -> None:
    for sub in ("fixtures/stacks", "fixtures/profiles", "suites/conformance"):
        shutil.copytree(REPO / sub, pytester.path / sub)


def test_without_a_target_every_group_skips_with_the_reason(pytester: pytest.Pytester) -> None:
    _suite(pytester)
    result = pytester.runpytest_subprocess("suites/conformance", "-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=7)
    result.stdout.fnmatch_lines(["*no conformance target: give --hachaos-conformance-stack*"])


def test_a_bad_target_is_one_usage_line(pytester: pytest.Pytester) -> None:
    _suite(pytester)
    result = pytester.runpytest_subprocess(
        "suites/conformance",
        "-p",
        "no:cacheprovider",
        "--hachaos-conformance-stack",
        "redis-sentinel:no-such-profile",
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*hachaos conformance: <command line>:1: unknown profile*"])
    assert "Traceback" not in result.stderr.str()


def test_checks_are_collected_per_stack_role_and_node(pytester: pytest.Pytester) -> None:
    _suite(pytester)
    result = pytester.runpytest_subprocess(
        "suites/conformance",
        "-p",
        "no:cacheprovider",
        "--collect-only",
        "-q",
        "--hachaos-conformance-stack",
        "redis-sentinel",
        "--hachaos-conformance-stack",
        "redis-sentinel:postgres-patroni",
    )
    out = result.stdout.str()
    assert "test_replication[redis-sentinel:sentinel/sentinel-1/sentinel-ckquorum]" in out
    assert "test_network[redis-sentinel:replica/redis-2/reach-master]" in out
    # the same stack against another profile is its own target, with its own ids
    assert "test_roles[redis-sentinel+postgres-patroni:etcd/cluster/declared]" in out
    assert "test_backups[redis-sentinel:none]" in out
