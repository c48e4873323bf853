"""A fake stack for schedule tests: a database node the probes depend on, an app node whose
commands answer from a table, and probes that succeed while the database runs (no Docker)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import yaml
from fakes import Answer, FakeNode, Kills

from hachaos.history import Outcome
from hachaos.node import ExecResult, NodeRef
from hachaos.probes.base import Attempt, Probe
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec
from hachaos.spec.scenario import ScenarioSpec

STACK = StackSpec.model_validate(
    {
        "name": "fake",
        "image": "none",
        "nodes": {
            "db": {"role": "primary"},
            "cache": {"role": "replica"},
            "app": {"role": "app"},
        },
    }
)


@dataclass
class StepNode(Kills, FakeNode):
    """A killable node; `exec` answers from `answers` (command → result), else exit 127."""

    answers: dict[tuple[str, ...], ExecResult | Answer] = field(default_factory=dict)
    container_id: str | None = None
    flaps: int = 0  # this many more probe attempts fail although it runs
    on_start: Callable[[], None] | None = None

    def __post_init__(self) -> None:
        self.answer = self._from_table

    def _from_table(self, cmd: tuple[str, ...]) -> ExecResult:
        answer = self.answers.get(cmd, ExecResult(127, f"{cmd[0]}: not found"))
        return answer(cmd) if callable(answer) else answer

    def start(self) -> None:
        super().start()
        if self.on_start is not None:
            self.on_start()

    def ref(self) -> NodeRef:
        """How a reaper would reach it again (its container id, else its name)."""
        return NodeRef("docker", self.name, self.container_id or self.name)


class NodeProbe:
    """Ok while `node` runs (or, with `invert`, while it does not)."""

    kind = "write"

    def __init__(self, node: StepNode, process: str = "probe", invert: bool = False) -> None:
        self.process = process
        self._node = node
        self._invert = invert

    def attempt(self, seq: int) -> Attempt:
        up = self._node.running != self._invert
        if up and self._node.flaps > 0:
            self._node.flaps -= 1
            up = False
        return Attempt(Outcome.OK if up else Outcome.FAIL, None if up else "Refused")

    def close(self) -> None:
        pass


def fake_stack() -> tuple[RunningStack, dict[str, StepNode]]:
    """The fake stack's RunningStack and its nodes by name."""
    nodes = {n: StepNode(n, str(s.role)) for n, s in STACK.nodes.items()}
    return RunningStack(STACK, "hc-steps", "fake", nodes, 0.0), nodes


def spec(text: str) -> ScenarioSpec:
    """A scenario from YAML text (stack `fake`, fast probe and steady state prepended)."""
    head = (
        "name: t\nstack: fake\nprobe: {type: tcp, target: {node: db, port: 1}, interval_ms: 10}\n"
        "steady_state: {samples: 3, timeout_s: 2}\nrecovery: {sustain_ops: 3, observe_s: 2}\n"
    )
    return ScenarioSpec.model_validate(yaml.safe_load(head + text))


def probes_on(nodes: dict[str, StepNode]) -> Callable[..., Probe]:
    """A `make_probe` replacement: every probe depends on `db`, except one named `cache`
    (prefix ending in `:cache`), which depends on the cache node."""

    def make(probe_spec: object, stack: object, prefix: str) -> Probe:
        return NodeProbe(nodes["cache" if prefix.endswith(":cache") else "db"])

    return make
