"""The old-primary-returns scenario fails an appliance promoted without fencing: with
APPLIANCE_FENCING=off the restarted old primary takes writes again beside the new primary,
which the scenario reports as a split-brain finding, not a pass."""

from __future__ import annotations

import pytest
from tests_support import REPO, booted

from hachaos.backends.docker.backend import DockerBackend
from hachaos.events import EventBus
from hachaos.scenario.runner import run_scenario
from hachaos.spec.loader import load_scenario, load_stack
from hachaos.spec.models import StackSpec
from hachaos.verdict import Reason, VerdictOutcome

pytestmark = pytest.mark.integration


def unfenced() -> StackSpec:
    """The active-passive stack with fencing switched off on both nodes (and a shorter ready
    timeout: the pair never re-forms, so the heal waits for all of it)."""
    spec = load_stack(REPO / "fixtures" / "stacks" / "active-passive.yaml")
    nodes = {
        name: node.model_copy(update={"env": {**node.env, "APPLIANCE_FENCING": "off"}})
        if name.startswith("ap-")
        else node
        for name, node in spec.nodes.items()
    }
    return spec.model_copy(update={"nodes": nodes, "ready_timeout_s": 30.0})


def test_the_variant_only_differs_by_fencing() -> None:
    spec, fenced = unfenced(), load_stack(REPO / "fixtures" / "stacks" / "active-passive.yaml")
    assert spec.nodes["ap-1"].env == {**fenced.nodes["ap-1"].env, "APPLIANCE_FENCING": "off"}
    assert spec.nodes["lb"] == fenced.nodes["lb"]


def test_old_primary_returns_fails_without_fencing(docker_backend: DockerBackend) -> None:
    loaded = load_scenario(REPO / "scenarios" / "active-passive" / "old-primary-returns.yaml")
    with booted(docker_backend, unfenced()) as stack:
        result = run_scenario(loaded.spec, stack, EventBus(), seed=11)
    verdict = result.verdict
    assert verdict.outcome is VerdictOutcome.FAIL, result.line()
    assert verdict.reason is Reason.EXPECTATION_FAILED, result.line()
    assert "old-primary-fenced" in verdict.detail and "split-brain" in verdict.detail
    measured = {m.name: m.value or 0 for m in verdict.measurements}
    assert measured["expect.old-primary-fenced.ok_ops"] > 0
    assert measured["primary_overlap_s"] > 0
    assert result.heal is not None and not result.heal.healed
