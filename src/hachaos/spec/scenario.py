"""Typed model of a scenario file: stack, probes, steady state, fault or steps, recovery and
budget."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from hachaos.spec.faults import FaultSpec, Pick, TargetSpec
from hachaos.spec.models import Model, Name, SpecError, duplicates, is_name, short
from hachaos.spec.params import Ident, ParamValue
from hachaos.spec.probes import ProbeSpec
from hachaos.spec.schedule import schedule_findings
from hachaos.spec.steps import (
    MAIN_PROBE,
    MAX_STEPS,
    ExpectStep,
    InjectStep,
    RunStep,
    StepBase,
    StepSpec,
    WaitStep,
)
from hachaos.spec.workloads import HttpLoadSpec, WorkloadSpec
from hachaos.verdict import LIMITS, Budget

__all__ = [
    "FaultSpec",
    "Pick",
    "ProbeSpec",
    "RecoverySpec",
    "ScenarioSpec",
    "SteadyStateSpec",
    "StepSpec",
    "TargetSpec",
    "WorkloadSpec",
]


class SteadyStateSpec(Model):
    """Steady state before the fault: this many consecutive successes within the timeout."""

    samples: int = Field(default=10, ge=1, le=10000)
    timeout_s: float = Field(default=15.0, gt=0, le=600)


class RecoverySpec(Model):
    """How recovery is recognised and how long to wait for it; with steps, `from_step` names
    the step whose start recovery is measured from (default: the first inject)."""

    sustain_ops: int = Field(default=10, ge=1, le=10000)
    observe_s: float = Field(default=30.0, gt=0, le=3600)
    from_step: Name | None = None


MarkerName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}\z")]


PREDICTING_STEPS = (ExpectStep, RunStep, WaitStep)  # steps that judge the system themselves


class ScenarioSpec(Model):
    """One chaos scenario against a stack referenced by name (`fixtures/stacks/NAME.yaml`);
    `markers` become pytest markers (e.g. smoke).

    Exactly one of `fault` (one fault held until recovery, then reverted) and `steps` (a
    schedule, see `hachaos.spec.steps`). `probe` is the probe named `main`; `probes` adds
    named probes that run beside it. The budget needs a limit, except in a scenario whose steps
    make predictions of their own (an expect window, a runbook command, a wait).
    """

    name: Name
    description: str = ""
    # shown with the verdict in every report (e.g. what the design leaves to the operator)
    notes: tuple[Annotated[str, StringConstraints(min_length=1, max_length=500)], ...] = Field(
        default=(), max_length=10
    )
    markers: tuple[MarkerName, ...] = ()
    stack: str
    stack_params: dict[Ident, ParamValue] = Field(default_factory=dict, max_length=20)
    matrix: dict[Ident, tuple[ParamValue, ...]] = Field(default_factory=dict, max_length=4)
    probe: ProbeSpec
    probes: dict[Name, ProbeSpec] = Field(default_factory=dict, max_length=16)
    steady_state: SteadyStateSpec = Field(default_factory=SteadyStateSpec)
    workload: WorkloadSpec | None = None
    load: HttpLoadSpec | None = None
    fault: FaultSpec | None = None
    steps: tuple[StepSpec, ...] | None = Field(default=None, min_length=1, max_length=MAX_STEPS)
    recovery: RecoverySpec = Field(default_factory=RecoverySpec)
    budget: Budget = Field(default_factory=Budget)

    @model_validator(mode="after")
    def _fault_or_steps(self) -> ScenarioSpec:
        if self.fault is not None and self.steps is not None:
            raise SpecError(
                ("steps",), "give either 'fault' (one fault) or 'steps' (a schedule), not both"
            )
        if self.fault is None and self.steps is None:
            raise SpecError((), "a scenario needs 'fault' (one fault) or 'steps' (a schedule)")
        return self

    @model_validator(mode="after")
    def _probe_names(self) -> ScenarioSpec:
        if MAIN_PROBE in self.probes:
            raise SpecError(
                ("probes", MAIN_PROBE),
                f"{MAIN_PROBE!r} is the name of 'probe': give extra probes other names",
            )
        return self

    @model_validator(mode="after")
    def _schedule(self) -> ScenarioSpec:
        found = schedule_findings(self.steps, self.probe_names(), self.recovery.from_step)
        if found:
            raise SpecError(found[0].loc, found[0].message)
        return self

    @model_validator(mode="after")
    def _judged(self) -> ScenarioSpec:
        if self.budget.has_limits() or any(isinstance(s, PREDICTING_STEPS) for s in self.schedule):
            return self
        if "budget" not in self.model_fields_set:
            raise SpecError((), "missing required key 'budget'")
        raise SpecError(
            ("budget",),
            f"budget has no limits: set at least one of {', '.join(LIMITS)} "
            "(or expect: unavailable, or steps that expect, run or wait)",
        )

    @property
    def schedule(self) -> tuple[StepBase, ...]:
        """The steps (empty for the `fault:` short form)."""
        return tuple(self.steps or ())

    def probe_names(self) -> tuple[str, ...]:
        """`main` (the scenario's `probe`), then the extra probes' names."""
        return (MAIN_PROBE, *self.probes)

    def probe_spec(self, name: str) -> ProbeSpec:
        """The probe called `name` (`main` is `probe`)."""
        return self.probe if name == MAIN_PROBE else self.probes[name]

    def faults(self) -> Iterator[tuple[tuple[str | int, ...], FaultSpec]]:
        """Every fault the scenario can inject, with its key path in the file."""
        if self.fault is not None:
            yield ("fault",), self.fault
        for i, step in enumerate(self.schedule):
            if isinstance(step, InjectStep):
                yield ("steps", i, "inject"), step.inject

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
