"""The `fault:` short form: what the revert does to clients is observed until they recover
(a restarted old master that a Sentinel still names refuses writes for a moment), instead of
the run ending a few ops after the revert and judging that moment never-recovered."""

from __future__ import annotations

from pathlib import Path

import pytest
from stepfakes import fake_stack, probes_on, spec

from hachaos.events import EventBus
from hachaos.history import FaultPhase
from hachaos.reaper.journal import RUNS_DIR_ENV
from hachaos.scenario import runner
from hachaos.scenario.result import ScenarioResult
from hachaos.verdict import VerdictOutcome

# the fault hits a node the clients do not write to (a master the Sentinels replace): they
# fail for a few ops and recover while it is down; its restart (the revert) disturbs them again
KILL_CACHE = """
fault: {action: kill, target: {node: cache}}
budget: {recovery_time_s: 5}
"""


@pytest.fixture(autouse=True)
def _runs_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "runs"))


def _run(monkeypatch: pytest.MonkeyPatch, flaps_after_restart: int) -> ScenarioResult:
    stack, nodes = fake_stack()
    db, cache = nodes["db"], nodes["cache"]
    killed = cache.kill

    def kill() -> None:
        killed()
        db.flaps = 5  # the failover clients see

    def started() -> None:
        db.flaps = flaps_after_restart

    monkeypatch.setattr(cache, "kill", kill)
    cache.on_start = started
    monkeypatch.setattr(runner, "make_probe", probes_on(nodes))
    return runner.run_scenario(spec(KILL_CACHE), stack, EventBus(), seed=1)


def test_a_revert_that_disturbs_clients_is_observed_until_they_recover(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    result = _run(monkeypatch, flaps_after_restart=8)
    assert result.verdict.outcome is VerdictOutcome.PASS, result.verdict.detail
    assert result.recovery is not None and len(result.recovery.windows) == 2
    # the second window is the revert's: its 8 refused ops started after the revert
    revert = result.history.first_fault(FaultPhase.REVERT)
    assert revert is not None
    last = result.recovery.windows[-1]
    assert last.failed == 8 and last.start_ns >= revert.at_ns


def test_a_quiet_revert_leaves_one_window(monkeypatch: pytest.MonkeyPatch) -> None:
    result = _run(monkeypatch, flaps_after_restart=0)
    assert result.verdict.outcome is VerdictOutcome.PASS, result.verdict.detail
    assert result.recovery is not None and len(result.recovery.windows) == 1
