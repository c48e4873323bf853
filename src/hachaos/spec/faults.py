"""Fault models, discriminated by `action`. Add new fault kinds to FaultSpec."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from hachaos.spec.models import Model, Role


class Pick(StrEnum):
    """How many of the matching nodes a fault hits, chosen at injection time."""

    ONE = "one"
    ALL = "all"
    MINORITY = "minority"
    MAJORITY = "majority"
    TOLERABLE = "tolerable"  # (n - 1) // 2 of the group


class TargetSpec(Model):
    """Which node(s) a fault hits: by role (resolved at fault time) or by node name."""

    role: Role | None = None
    node: str | None = None
    pick: Pick = Pick.ONE

    @model_validator(mode="after")
    def _one_selector(self) -> TargetSpec:
        if (self.role is None) == (self.node is None):
            raise ValueError("a target needs exactly one of 'role' or 'node'")
        return self


class NodeFaultSpec(Model):
    """kill / stop / pause / restart of the targeted node(s); reverted after `duration_s`
    (or once recovery has been observed when no duration is set)."""

    action: Literal["kill", "stop", "pause", "restart"]
    target: TargetSpec
    duration_s: float | None = Field(default=None, gt=0, le=3600)


class PartitionMode(StrEnum):
    """Partition shapes, in Jepsen's vocabulary."""

    ISOLATE = "isolate"  # the targets on one side, every other node on the other
    GROUPS = "groups"  # explicit groups of node names; nodes in different groups can't talk
    ONE_WAY = "one-way"  # the targets can't reach the others; the others still reach them
    BRIDGE = "bridge"  # two halves sharing one bridge node (seeded shuffle)
    MAJORITIES_RING = "majorities-ring"  # each node sees a majority, no two the same one


class PartitionFaultSpec(Model):
    """Cut nodes apart with firewall rules in their namespaces (or, with `method: disconnect`,
    by detaching the targets from the stack network)."""

    action: Literal["partition"]
    mode: PartitionMode = PartitionMode.ISOLATE
    target: TargetSpec | None = None  # isolate / one-way: which node(s)
    groups: tuple[tuple[str, ...], ...] = ()  # groups: node names per group
    among: tuple[Role, ...] = ()  # the nodes considered (default: every node of the stack)
    method: Literal["iptables", "disconnect"] = "iptables"
    duration_s: float | None = Field(default=None, gt=0, le=3600)

    @model_validator(mode="after")
    def _shape(self) -> PartitionFaultSpec:
        targeted = self.mode in (PartitionMode.ISOLATE, PartitionMode.ONE_WAY)
        if targeted != (self.target is not None):
            raise ValueError(
                f"partition mode '{self.mode.value}' "
                + ("needs a 'target'" if targeted else "takes no 'target'")
            )
        if (self.mode is PartitionMode.GROUPS) != bool(self.groups):
            raise ValueError("'groups' goes with mode 'groups' (at least two lists of node names)")
        if self.method == "disconnect" and self.mode is not PartitionMode.ISOLATE:
            raise ValueError("method 'disconnect' only supports mode 'isolate'")
        return self


TOXIC_ATTRIBUTES: dict[str, frozenset[str]] = {
    "latency": frozenset({"latency", "jitter"}),
    "bandwidth": frozenset({"rate"}),
    "timeout": frozenset({"timeout"}),
    "reset_peer": frozenset({"timeout"}),
    "slicer": frozenset({"average_size", "size_variation", "delay"}),
    "limit_data": frozenset({"bytes"}),
    "slow_close": frozenset({"delay"}),
}


class ToxicSpec(Model):
    """One Toxiproxy toxic: its type, attributes, toxicity (0..1) and stream."""

    type: Literal[
        "latency", "bandwidth", "timeout", "reset_peer", "slicer", "limit_data", "slow_close"
    ]
    attributes: dict[str, int | float] = Field(default_factory=dict)
    toxicity: float = Field(default=1.0, ge=0, le=1)
    stream: Literal["upstream", "downstream"] = "downstream"

    @model_validator(mode="after")
    def _known_attributes(self) -> ToxicSpec:
        unknown = sorted(set(self.attributes) - TOXIC_ATTRIBUTES[self.type])
        if unknown:
            allowed = ", ".join(sorted(TOXIC_ATTRIBUTES[self.type]))
            raise ValueError(f"toxic {self.type} has no attribute '{unknown[0]}' ({allowed})")
        return self


class LinkFaultSpec(Model):
    """A fault on a Toxiproxy link: add one toxic, or take the link down (`down: true`)."""

    action: Literal["link"]
    link: str
    toxic: ToxicSpec | None = None
    down: bool = False
    duration_s: float | None = Field(default=None, gt=0, le=3600)

    @model_validator(mode="after")
    def _toxic_or_down(self) -> LinkFaultSpec:
        if (self.toxic is not None) == self.down:
            raise ValueError("a link fault needs exactly one of 'toxic' or 'down: true'")
        return self


FaultSpec = Annotated[
    NodeFaultSpec | PartitionFaultSpec | LinkFaultSpec, Field(discriminator="action")
]
