"""The quorum scenarios catch broken clusters for real: `quorum-lose-majority[size=3]` run
against two deliberately broken copies of the real `quorum` stack FAILs, while it passes on
the real one (scenario runs in the catalog).

- self-only: each etcd member's `--initial-cluster` names only itself, so the three servers
  are three one-member clusters that always "have quorum": the membership claim fails at
  steady state (claim-mismatch) and the survivor keeps accepting writes after two of three
  servers are lost (split brain: writes counted in the `out` window);
- no-check: the server application never asks etcd (its quorum check replaced by a no-op when
  it starts), with a healthy three-member etcd cluster: the claim holds, but the outage the
  scenario waits for never comes (step-failed) and the `out` window counts the accepted writes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]

CLUSTER = 'ETCD_INITIAL_CLUSTER: "${initial_cluster}"'
SELF_ONLY = 'ETCD_INITIAL_CLUSTER: "${name}=http://${name}:2380"'
COMMAND = 'command: [sh, -c, "etcd & exec python3 -m quorum_app"]'
NO_CHECK = (
    "command: [sh, -c, \"etcd & exec python3 -c 'import runpy, quorum_app.etcd as e; "
    "e.EtcdMember.confirm_quorum = lambda self: None; "
    'runpy.run_module(\\"quorum_app\\", run_name=\\"__main__\\")\'"]'
)


def _broken_tree(pytester: pytest.Pytester, old: str, new: str) -> None:
    stacks = pytester.path / "fixtures" / "stacks"
    shutil.copytree(REPO / "fixtures" / "stacks", stacks)
    stack = stacks / "quorum.yaml"
    text = stack.read_text()
    assert text.count(old) == 1
    stack.write_text(text.replace(old, new))
    (pytester.path / "scenarios").mkdir()
    shutil.copy(REPO / "scenarios/quorum/lose-majority.yaml", pytester.path / "scenarios")


def _run(pytester: pytest.Pytester) -> str:
    result = pytester.runpytest_subprocess(
        "scenarios/lose-majority.yaml::quorum-lose-majority[size=3]",
        "-p",
        "no:cacheprovider",
        "--hachaos-history-dir",
        "h",
    )
    result.assert_outcomes(failed=1)
    return str(result.stdout)


def _ok_in_window(out: str) -> int:
    """Writes acknowledged inside the `out` window (the measurement's line; 0 passes)."""
    match = re.search(r"expect\.out\.ok_ops=(\d+) [≤>] 0", out)
    assert match is not None, out
    return int(match.group(1))


def test_members_that_each_form_their_own_cluster_fail(pytester: pytest.Pytester) -> None:
    _broken_tree(pytester, CLUSTER, SELF_ONLY)
    out = _run(pytester)
    assert re.search(r"FAIL +quorum-lose-majority\[size=3\] +\[claim-mismatch\]", out), out
    assert "claims_mismatched=1 > 0" in out  # each member lists only itself
    assert _ok_in_window(out) > 0  # and the survivor accepted writes with 2 of 3 gone


def test_a_server_that_does_not_check_its_quorum_fails(pytester: pytest.Pytester) -> None:
    _broken_tree(pytester, COMMAND, NO_CHECK)
    out = _run(pytester)
    # the outage `outage-seen` waits for never comes, and the window counts the writes accepted
    assert re.search(r"FAIL +quorum-lose-majority\[size=3\] +\[step-failed\]", out), out
    assert "claims_mismatched=0 ≤ 0" in out  # etcd itself is healthy: only the window sees it
    assert _ok_in_window(out) > 0
