"""Capabilities: what each fault needs, what the Docker backend declares (and its nodes really
implement), and a scenario skipped with the reason before boot when its backend lacks one."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, cast

import pytest
from pydantic import TypeAdapter

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.docker.node import DockerNode
from hachaos.capabilities import ABOUT, Capability, lacking
from hachaos.faults.needs import fault_needs
from hachaos.node import Node, Reattachable
from hachaos.spec.faults import FaultSpec
from hachaos.spec.models import StackSpec

REPO = Path(__file__).resolve().parents[2]
pytest_plugins = ["pytester"]
STACK = StackSpec.model_validate({"name": "s", "image": "i", "nodes": {"n1": {"role": "app"}}})
NEEDS = [
    ({"action": "kill", "target": {"node": "n1"}}, Capability.KILL),
    ({"action": "restart", "target": {"node": "n1"}}, Capability.KILL),
    ({"action": "stop", "target": {"node": "n1"}}, Capability.STOP),
    ({"action": "pause", "target": {"node": "n1"}}, Capability.PAUSE),
    ({"action": "partition", "target": {"node": "n1"}}, Capability.FIREWALL),
    (
        {"action": "partition", "method": "disconnect", "target": {"node": "n1"}},
        Capability.DISCONNECT,
    ),
    ({"action": "link", "link": "l", "down": True}, Capability.LINK),
]


@pytest.mark.parametrize(("data", "needed"), NEEDS, ids=lambda x: getattr(x, "value", None))
def test_each_fault_needs_its_capability(data: dict[str, object], needed: Capability) -> None:
    assert fault_needs(TypeAdapter(FaultSpec).validate_python(data)) == {needed}


def test_docker_nodes_implement_everything_the_backend_declares() -> None:
    node: Node = DockerNode(cast(Any, None), "cid", "n1", "app", "hc-1")  # no engine call made
    declared = DockerBackend().capabilities(STACK)
    assert declared == frozenset(Capability)
    for capability in declared:
        protocol = ABOUT[capability].protocol
        assert protocol is None or isinstance(node, protocol), capability
    assert isinstance(node, Reattachable)
    assert node.ref().backend == DockerBackend.name


def test_the_skip_reason_names_what_is_missing() -> None:
    assert lacking("s", "docker", []) is None
    reason = lacking("rabbitmq", "hosts", [Capability.PAUSE, Capability.FIREWALL])
    assert reason == (
        "stack rabbitmq's backend (hosts) cannot cut nodes apart with firewall rules "
        "(no Firewall); pause nodes (no Pausable)"
    )


READONLY_BACKEND = """
from hachaos.capabilities import Capability


class ReadOnly:
    name = "readonly"
    removes_nodes = False

    def capabilities(self, stack):
        return frozenset({Capability.KILL})

    def up(self, stack, run_id, progress=None):
        raise AssertionError("a scenario lacking a capability must not boot")
"""


def test_a_scenario_whose_backend_lacks_a_capability_is_skipped_before_boot(
    pytester: pytest.Pytester,
) -> None:
    shutil.copytree(REPO / "fixtures" / "stacks", pytester.path / "fixtures" / "stacks")
    (pytester.path / "scenarios").mkdir()
    shutil.copy(REPO / "scenarios/rabbitmq/pause-leader.yaml", pytester.path / "scenarios")
    pytester.makepyfile(readonly_backend=READONLY_BACKEND)
    pytester.makeconftest(
        "from hachaos.backends import BACKENDS\n"
        "BACKENDS['readonly'] = 'readonly_backend:ReadOnly'\n"
    )
    result = pytester.runpytest_subprocess(
        "scenarios", "-rs", "--hachaos-backend", "readonly", "-p", "no:cacheprovider"
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED*stack rabbitmq-cluster's backend (readonly) cannot pause nodes (no Pausable)"]
    )
