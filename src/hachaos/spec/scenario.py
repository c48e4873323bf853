"""Typed model of a scenario file: stack, probe, steady state, fault, recovery and budget."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from hachaos.spec.faults import FaultSpec, Pick, TargetSpec
from hachaos.spec.models import Model, Name, SpecError, duplicates, is_name, short
from hachaos.spec.params import Ident, ParamValue
from hachaos.spec.probes import ProbeSpec
from hachaos.spec.workloads import HttpLoadSpec, WorkloadSpec
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
    stack_params: dict[Ident, ParamValue] = Field(default_factory=dict, max_length=20)
    matrix: dict[Ident, tuple[ParamValue, ...]] = Field(default_factory=dict, max_length=4)
    probe: ProbeSpec
    steady_state: SteadyStateSpec = Field(default_factory=SteadyStateSpec)
    workload: WorkloadSpec | None = None
    load: HttpLoadSpec | None = None
    fault: FaultSpec
    recovery: RecoverySpec = Field(default_factory=RecoverySpec)
    budget: Budget

    @field_validator("matrix")
    @classmethod
    def _matrix_ok(
        cls, matrix: dict[str, tuple[ParamValue, ...]]
    ) -> dict[str, tuple[ParamValue, ...]]:
        for name, values in matrix.items():
            if not values:
                raise SpecError((name,), "a matrix parameter needs at least one value")
            dups = duplicates(values)
            if dups:
                raise SpecError((name, dups[0]), "the same value is listed twice")
        return matrix

    @model_validator(mode="after")
    def _params_once(self) -> ScenarioSpec:
        both = sorted(set(self.stack_params) & set(self.matrix))
        if both:
            raise SpecError(("matrix", both[0]), f"'{both[0]}' is also set in stack_params")
        return self

    @field_validator("stack")
    @classmethod
    def _stack_by_name(cls, stack: str) -> str:
        if not is_name(stack):
            raise ValueError(
                f"{short(stack)} is not a stack name: a stack is referenced by its name "
                "only (fixtures/stacks/NAME.yaml), never by a path"
            )
        return stack
