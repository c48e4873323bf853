"""Typed model of a scenario file: stack, probe, steady state, fault, recovery and budget."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from hachaos.spec.faults import FaultSpec, Pick, TargetSpec
from hachaos.spec.models import Model, Name, is_name, short
from hachaos.spec.probes import ProbeSpec
from hachaos.spec.workloads import WorkloadSpec
from hachaos.verdict import Budget

__all__ = [
    "FaultSpec",
    "Pick",
    "ProbeSpec",
    "RecoverySpec",
    "ScenarioSpec",
    "SteadyStateSpec",
    "TargetSpec",
    "WorkloadSpec",
]


class SteadyStateSpec(Model):
    """Steady state before the fault: this many consecutive successes within the timeout."""

    samples: int = Field(default=10, ge=1, le=10000)
    timeout_s: float = Field(default=15.0, gt=0, le=600)


class RecoverySpec(Model):
    """How recovery is recognised and how long to wait for it."""

    sustain_ops: int = Field(default=10, ge=1, le=10000)
    observe_s: float = Field(default=30.0, gt=0, le=3600)


MarkerName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}\z")]


class ScenarioSpec(Model):
    """One chaos scenario against a stack referenced by name (`fixtures/stacks/NAME.yaml`);
    `markers` become pytest markers (e.g. smoke)."""

    name: Name
    description: str = ""
    markers: tuple[MarkerName, ...] = ()
    stack: str
    probe: ProbeSpec
    steady_state: SteadyStateSpec = Field(default_factory=SteadyStateSpec)
    workload: WorkloadSpec | None = None
    fault: FaultSpec
    recovery: RecoverySpec = Field(default_factory=RecoverySpec)
    budget: Budget

    @field_validator("stack")
    @classmethod
    def _stack_by_name(cls, stack: str) -> str:
        if not is_name(stack):
            raise ValueError(
                f"{short(stack)} is not a stack name: a stack is referenced by its name "
                "only (fixtures/stacks/NAME.yaml), never by a path"
            )
        return stack
