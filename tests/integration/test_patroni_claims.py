"""A stack's claim is checked against the running system: `replication: sync` with Patroni's
synchronous mode switched off must fail the run (claim-mismatch), not pass a kill-primary."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests_support import REPO, booted

from hachaos.backends.docker.backend import DockerBackend
from hachaos.events import EventBus
from hachaos.scenario.runner import run_scenario
from hachaos.spec.loader import load_scenario
from hachaos.spec.models import StackSpec
from hachaos.verdict import Reason, VerdictOutcome

pytestmark = pytest.mark.integration

SYNC_STACK = REPO / "fixtures" / "stacks" / "postgres-patroni-sync.yaml"
SYNC_READY = "AND (SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync') = 1"


def sync_switched_off(path: Path = SYNC_STACK) -> StackSpec:
    """The sync stack as someone who turned synchronous mode off but kept the claim has it."""
    text = path.read_text()
    for on in ("synchronous_mode: true", "synchronous_mode_strict: true"):
        assert on in text, on
        text = text.replace(on, on.replace("true", "false"))
    assert SYNC_READY in text
    text = text.replace(SYNC_READY, "")  # its readiness check no longer waits for a sync standby
    spec = StackSpec.model_validate(yaml.safe_load(text))
    assert getattr(spec.topology, "replication", None) == "sync"
    return spec


def test_the_generated_stack_really_is_async() -> None:
    spec = sync_switched_off()
    files = "".join(f for n in spec.nodes.values() for f in n.files.values())
    assert "synchronous_mode: false" in files and "sync_state = 'sync'" not in files


def test_sync_claim_without_a_sync_standby_fails_kill_primary(
    docker_backend: DockerBackend,
) -> None:
    loaded = load_scenario(REPO / "scenarios" / "postgres" / "kill-primary-sync.yaml")
    with booted(docker_backend, sync_switched_off()) as stack:
        result = run_scenario(loaded.spec, stack, EventBus(), seed=7)
    assert result.verdict.outcome is VerdictOutcome.FAIL, result.line()
    assert result.verdict.reason is Reason.CLAIM_MISMATCH, result.line()
    assert "no synchronous standby" in result.verdict.detail
