"""Fault models, discriminated by `action`. Add new fault kinds to FaultSpec."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from hachaos.spec.models import Model, Name, Role, SpecError, duplicates


class Pick(StrEnum):
    """How many of the matching nodes a fault hits, chosen at injection time."""

    ONE = "one"
    ALL = "all"
    MINORITY = "minority"
    MAJORITY = "majority"
    TOLERABLE = "tolerable"  # (n - 1) // 2 of the group

    def selects(self, n: int) -> int:
        """How many of `n` candidates this pick selects."""
        counts = {
            Pick.ONE: min(1, n),
            Pick.ALL: n,
            Pick.MINORITY: (n - 1) // 2,
            Pick.TOLERABLE: (n - 1) // 2,
            Pick.MAJORITY: n // 2 + 1,
        }
        return min(n, counts[self])


class TargetSpec(Model):
    """Which node(s) a fault hits: by role (resolved at fault time) or by node name.

    In a composed stack, `stack` names an included stack's namespace: the role is then resolved
    by that stack's topology among its nodes (`{stack: pg, role: primary}` is whoever Patroni
    names leader now); without it, a role means the composing stack's own nodes.
    """

    stack: Name | None = None
    role: Role | None = None
    node: Name | None = None
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
    groups: tuple[tuple[Name, ...], ...] = ()  # groups: node names per group
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
        self._groups_ok()
        return self

    def _groups_ok(self) -> None:
        """At least two non-empty groups, no node in two of them."""
        if self.groups and len(self.groups) < 2:
            raise SpecError(("groups",), "a partition needs at least two groups")
        seen: dict[str, int] = {}
        for i, group in enumerate(self.groups):
            if not group:
                raise SpecError(("groups", i), "a group needs at least one node")
            for j, node in enumerate(group):
                if node in seen:
                    raise SpecError(
                        ("groups", i, j), f"node {node!r} is already in group {seen[node]}"
                    )
                seen[node] = i


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
            where = ("attributes", unknown[0])
            raise SpecError(where, f"toxic {self.type} has no attribute '{unknown[0]}' ({allowed})")
        negative = [k for k, v in self.attributes.items() if v < 0]
        if negative:
            raise SpecError(("attributes", negative[0]), "a toxic attribute cannot be negative")
        return self


class LinkFaultSpec(Model):
    """A fault on a Toxiproxy link: add one toxic, or take the link down (`down: true`); on one
    `link`, or the same on each of several `links` at once (e.g. every app node's path to the
    database)."""

    action: Literal["link"]
    link: Name | None = None
    links: tuple[Name, ...] = Field(default=(), max_length=64)
    toxic: ToxicSpec | None = None
    down: bool = False
    duration_s: float | None = Field(default=None, gt=0, le=3600)

    @model_validator(mode="after")
    def _toxic_or_down(self) -> LinkFaultSpec:
        if (self.toxic is not None) == self.down:
            raise ValueError("a link fault needs exactly one of 'toxic' or 'down: true'")
        if (self.link is None) == (not self.links):
            raise ValueError("a link fault needs exactly one of 'link' or 'links'")
        dups = duplicates(self.links)
        if dups:
            raise SpecError(("links", dups[0]), "the same link is listed twice")
        return self

    def link_names(self) -> tuple[str, ...]:
        """Every link this fault hits."""
        return (self.link,) if self.link is not None else self.links


FaultSpec = Annotated[
    NodeFaultSpec | PartitionFaultSpec | LinkFaultSpec, Field(discriminator="action")
]
