"""Step models: a scenario's schedule, run in order instead of one `fault:`.

A step is a mapping with exactly one of these keys (and an optional `name`):

* ``inject: FAULT`` (named): held until ``revert: NAME`` or the end of the scenario;
* ``revert: NAME``; ``run: {target, command, expect_exit, expect_output, timeout_s}``;
* ``wait: {probe, state, sustain_ops}`` or ``wait: {run: {target, command}, output: REGEX}``,
  with a required ``timeout_s``; ``hold_s: S`` (the only fixed pause);
* ``expect: {window, probe, state, grace_s}`` opens an expectation window, ``close: WINDOW``
  closes it.

How steps relate to each other (names, reverts, windows) is checked in
`hachaos.spec.schedule`.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, StringConstraints, Tag, model_validator

from hachaos.spec.faults import FaultSpec, TargetSpec
from hachaos.spec.models import Model, Name, Regex, SpecError

MAIN_PROBE = "main"  # the scenario's `probe:`; extra probes are named under `probes:`
MAX_STEPS = 200
MAX_STEP_S = 3600.0


Arg = Annotated[str, StringConstraints(min_length=1, max_length=4096)]


DESCRIBE_COMMAND_CHARS = 80


def describe_target(target: TargetSpec) -> str:
    """`role master`, `node app-1`, `role sentinel (pick majority)`."""
    what = f"node {target.node}" if target.node else f"role {target.role}"
    return what if target.pick.value == "one" else f"{what} (pick {target.pick.value})"


class CommandSpec(Model):
    """A command run inside every picked node (`target` as a fault's: role or node, `pick`);
    each run is killed after `timeout_s`."""

    target: TargetSpec
    command: tuple[Arg, ...] = Field(min_length=1, max_length=256)
    timeout_s: float = Field(default=30.0, gt=0, le=MAX_STEP_S)

    def describe(self) -> str:
        """`appliance status on node app-1`: one line, a long script cut to its start."""
        text = " ".join(" ".join(self.command).split())
        if len(text) > DESCRIBE_COMMAND_CHARS:
            text = text[: DESCRIBE_COMMAND_CHARS - 1] + "…"
        return f"{text} on {describe_target(self.target)}"


class RunSpec(CommandSpec):
    """An operator's runbook command: it must exit `expect_exit` and, when given, its output
    must match the `expect_output` regular expression (searched, not anchored)."""

    expect_exit: int = Field(default=0, ge=0, le=255)
    expect_output: Regex | None = None


class ProbeWaitSpec(Model):
    """Until the last `sustain_ops` ops of `probe` (started since the wait began) are all ok
    (`state: ok`) or all failed (`state: failing`)."""

    probe: Name = MAIN_PROBE
    state: Literal["ok", "failing"]
    sustain_ops: int = Field(default=10, ge=1, le=10000)

    def describe(self) -> str:
        """`probe main is ok for 20 ops`."""
        return f"probe {self.probe} is {self.state} for {self.sustain_ops} ops"


class CommandWaitSpec(Model):
    """Until the command's output matches `output` (a regular expression, searched) on every
    picked node; re-run until then."""

    run: CommandSpec
    output: Regex

    def describe(self) -> str:
        """`appliance status on node app-1 matches 'replication: OK'`."""
        return f"{self.run.describe()} matches {self.output!r}"


def _wait_kind(data: Any) -> str:
    if isinstance(data, dict):
        return "run" if "run" in data else "probe"
    return "run" if isinstance(data, CommandWaitSpec) else "probe"


WaitSpec = Annotated[
    Annotated[ProbeWaitSpec, Tag("probe")] | Annotated[CommandWaitSpec, Tag("run")],
    Discriminator(_wait_kind),
]


class ExpectSpec(Model):
    """An expectation window on `probe`, from this step to `close: WINDOW`: `available` (no
    failed op) or `unavailable` (no successful op); the first `grace_s` are not judged."""

    window: Name
    probe: Name = MAIN_PROBE
    state: Literal["available", "unavailable"]
    grace_s: float = Field(default=2.0, ge=0, le=600)


class StepBase(Model):
    """What every step has: an optional name, unique within the file."""

    kind: ClassVar[str]
    name: Name | None = None

    @property
    def label(self) -> str:
        """How reports name the step: its name, else its kind."""
        return self.name or self.kind

    def describe(self) -> str:
        """What the step does, in a few words, for reports and progress lines."""
        return self.kind


class InjectStep(StepBase):
    """Inject a fault, held until `revert: NAME` or the end of the scenario."""

    kind: ClassVar[str] = "inject"
    inject: FaultSpec

    def describe(self) -> str:
        """`inject kill role master`."""
        target = getattr(self.inject, "target", None)
        where = f" {describe_target(target)}" if isinstance(target, TargetSpec) else ""
        return f"inject {self.inject.action}{where}"

    @model_validator(mode="after")
    def _named(self) -> InjectStep:
        if self.name is None:
            raise SpecError(
                ("inject",), "an inject step needs a 'name' (what `revert: NAME` undoes)"
            )
        return self


class RevertStep(StepBase):
    """Revert the fault an earlier inject step of that name applied."""

    kind: ClassVar[str] = "revert"
    revert: Name

    def describe(self) -> str:
        """`revert lose-sentinel`."""
        return f"revert {self.revert}"


class RunStep(StepBase):
    """Run an operator command on the target node(s) and check its exit code and output."""

    kind: ClassVar[str] = "run"
    run: RunSpec

    def describe(self) -> str:
        """`run appliance maintenance on on role primary`."""
        return f"run {self.run.describe()}"


class WaitStep(StepBase):
    """Wait until a condition holds, within the step's required `timeout_s`."""

    kind: ClassVar[str] = "wait"
    wait: WaitSpec
    timeout_s: float | None = Field(default=None, gt=0, le=MAX_STEP_S)

    @model_validator(mode="after")
    def _bounded(self) -> WaitStep:
        if self.timeout_s is None:
            raise SpecError(("wait",), "a wait needs a deadline: add 'timeout_s: SECONDS'")
        return self

    @property
    def deadline_s(self) -> float:
        """The wait's deadline (always set once validated)."""
        assert self.timeout_s is not None
        return self.timeout_s

    def describe(self) -> str:
        """`wait until probe main is ok for 20 ops (within 30s)`."""
        return f"wait until {self.wait.describe()} (within {self.deadline_s:g}s)"


class HoldStep(StepBase):
    """Pause the schedule for `hold_s` seconds: the only fixed wait there is."""

    kind: ClassVar[str] = "hold_s"
    hold_s: float = Field(gt=0, le=MAX_STEP_S)

    def describe(self) -> str:
        """`hold 5s`."""
        return f"hold {self.hold_s:g}s"


class ExpectStep(StepBase):
    """Open an expectation window."""

    kind: ClassVar[str] = "expect"
    expect: ExpectSpec

    def describe(self) -> str:
        """`expect main unavailable in window maint (grace 2s)`."""
        e = self.expect
        return f"expect {e.probe} {e.state} in window {e.window} (grace {e.grace_s:g}s)"


class CloseStep(StepBase):
    """Close the expectation window of that name."""

    kind: ClassVar[str] = "close"
    close: Name

    def describe(self) -> str:
        """`close window maint`."""
        return f"close window {self.close}"


STEP_TYPES: tuple[type[StepBase], ...] = (
    InjectStep,
    RevertStep,
    RunStep,
    WaitStep,
    HoldStep,
    ExpectStep,
    CloseStep,
)
STEP_KINDS = tuple(t.kind for t in STEP_TYPES)


def _step_kind(data: Any) -> str | None:
    """The one step key of `data` (None when it has none or several)."""
    if isinstance(data, StepBase):
        return data.kind
    if not isinstance(data, dict):
        return None
    kinds = [k for k in STEP_KINDS if k in data]
    return kinds[0] if len(kinds) == 1 else None


StepSpec = Annotated[
    Annotated[InjectStep, Tag("inject")]
    | Annotated[RevertStep, Tag("revert")]
    | Annotated[RunStep, Tag("run")]
    | Annotated[WaitStep, Tag("wait")]
    | Annotated[HoldStep, Tag("hold_s")]
    | Annotated[ExpectStep, Tag("expect")]
    | Annotated[CloseStep, Tag("close")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message=f"a step needs exactly one of {', '.join(STEP_KINDS)}",
    ),
]
