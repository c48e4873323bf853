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


FaultSpec = Annotated[NodeFaultSpec, Field(discriminator="action")]
