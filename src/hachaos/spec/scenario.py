"""Typed model of a scenario file: stack, probe, steady state, fault, recovery and budget."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import Field, model_validator

from hachaos.spec.models import Model, Role
from hachaos.verdict import Budget


class FaultAction(StrEnum):
    """Node faults a scenario can inject."""

    KILL = "kill"
    STOP = "stop"
    PAUSE = "pause"
    RESTART = "restart"


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


class FaultSpec(Model):
    """The fault: what to do, to whom, and for how long before it is reverted."""

    action: FaultAction
    target: TargetSpec
    duration_s: float | None = Field(default=None, gt=0, le=3600)


class ProbeSpec(Model):
    """The client probe that records the history during the scenario."""

    type: Literal["redis-sentinel-write"]
    interval_ms: int = Field(default=50, ge=5, le=1000)
    timeout_ms: int = Field(default=500, ge=10, le=30000)


class SteadyStateSpec(Model):
    """Steady state before the fault: this many consecutive successes within the timeout."""

    samples: int = Field(default=10, ge=1, le=10000)
    timeout_s: float = Field(default=15.0, gt=0, le=600)


class RecoverySpec(Model):
    """How recovery is recognised and how long to wait for it."""

    sustain_ops: int = Field(default=10, ge=1, le=10000)
    observe_s: float = Field(default=30.0, gt=0, le=3600)


class ScenarioSpec(Model):
    """One chaos scenario against a named stack."""

    name: str
    description: str = ""
    stack: str
    probe: ProbeSpec
    steady_state: SteadyStateSpec = Field(default_factory=SteadyStateSpec)
    fault: FaultSpec
    recovery: RecoverySpec = Field(default_factory=RecoverySpec)
    budget: Budget
