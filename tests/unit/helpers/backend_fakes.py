"""The one fake backend (reaper, capability and `hachaos bundle` tests) and a node with every
capability; no engine."""

from __future__ import annotations

from dataclasses import dataclass, field

from fakes import FakeNode, Kills, Pauses

from hachaos.backends.base import ReapReport, RunInfo
from hachaos.capabilities import Capability
from hachaos.events import ProgressFn, no_progress
from hachaos.firewall.request import RuleRequest, RuleResponse
from hachaos.node import Attachment, Node, NodeRef
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec


@dataclass
class HostNode(Pauses, Kills, FakeNode):
    """A node with every capability, killed and paused to begin with, recording what was
    done to it (`actions`)."""

    ip: str | None = "10.0.0.1"
    running: bool = False
    paused: bool = True
    attached: bool = False
    actions: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.actions.append("start")
        super().start()

    def resume(self) -> None:
        self.actions.append("resume")
        super().resume()

    def apply_rules(self, request: RuleRequest) -> RuleResponse:
        self.actions.append(f"rules -{request.remove}")
        return RuleResponse(removed=2, added=0)

    def attachment(self) -> Attachment | None:
        return Attachment("net", (self.name,)) if self.attached else None

    def disconnect(self) -> None:
        self.attached = False

    def reconnect(self, attachment: Attachment) -> bool:
        self.actions.append(f"reconnect {attachment.network}")
        self.attached = True
        return True


@dataclass
class FakeBackend:
    """A backend holding `nodes` by locator (`reattach`), which `attach` takes as the nodes of
    the run's stack by name; `can` is what it declares, `listed` what `runs` lists."""

    name: str
    removes_nodes: bool
    nodes: dict[str, Node]
    can: frozenset[Capability] = frozenset(Capability)
    reattached: list[tuple[NodeRef, str]] = field(default_factory=list)
    downed: list[str | None] = field(default_factory=list)
    held: set[str] = field(default_factory=set)
    listed: list[RunInfo] = field(default_factory=list)

    def capabilities(self, stack: StackSpec) -> frozenset[Capability]:
        return self.can

    def up(self, stack: StackSpec, run_id: str, progress: ProgressFn = no_progress) -> RunningStack:
        raise AssertionError("the reaper never boots")

    def runs(self) -> list[RunInfo]:
        return list(self.listed)

    def attach(self, stack: StackSpec, run_id: str) -> RunningStack:
        return RunningStack(stack, run_id, self.name, self.nodes, 0.0)

    def run_ids(self) -> set[str]:
        return set(self.held)

    def down(self, run_id: str | None) -> ReapReport:
        self.downed.append(run_id)
        return ReapReport(run_id, 0, 0, 0, 0.0)

    def reattach(self, ref: NodeRef, run_id: str) -> Node | None:
        self.reattached.append((ref, run_id))
        return self.nodes.get(ref.locator)

    def engine_version(self) -> str | None:
        return None
