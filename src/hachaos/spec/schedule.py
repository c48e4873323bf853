"""How a scenario's steps relate to each other: names, reverts, windows, probes, `from_step`.

Pure functions of the (individually valid) steps; each problem is a `Finding` with the key
path of the offending key inside the scenario, so the loader puts it on that key's line.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from hachaos.spec.references import Finding
from hachaos.spec.steps import (
    CloseStep,
    ExpectSpec,
    ExpectStep,
    InjectStep,
    ProbeWaitSpec,
    RevertStep,
    StepBase,
    WaitStep,
)


def step_ref(index: int, step: StepBase) -> str:
    """`step 3 ('kill-master')`, 1-based as people count."""
    return f"step {index + 1}" + (f" ({step.name!r})" if step.name else "")


def _loc(index: int, *rest: str) -> tuple[str | int, ...]:
    return ("steps", index, *rest)


def name_findings(steps: Sequence[StepBase]) -> Iterator[Finding]:
    """Every step name is used once."""
    seen: dict[str, int] = {}
    for i, step in enumerate(steps):
        if step.name is None:
            continue
        if step.name in seen:
            first = seen[step.name]
            yield Finding(
                _loc(i, "name"),
                f"step name {step.name!r} is already used by {step_ref(first, steps[first])}",
            )
        seen.setdefault(step.name, i)


def revert_findings(steps: Sequence[StepBase]) -> Iterator[Finding]:
    """A revert names an inject step that ran before it and is not reverted yet."""
    injects = {s.name: i for i, s in enumerate(steps) if isinstance(s, InjectStep) and s.name}
    reverted: dict[str, int] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, RevertStep):
            continue
        name, at = step.revert, injects.get(step.revert)
        if at is None:
            known = ", ".join(injects) or "none"
            yield Finding(
                _loc(i, "revert"),
                f"revert of {name!r}: no inject step is named {name!r} (inject steps: {known})",
            )
        elif at > i:
            yield Finding(
                _loc(i, "revert"),
                f"revert of {name!r} comes before its inject ({step_ref(at, steps[at])})",
            )
        elif name in reverted:
            done = reverted[name]
            yield Finding(
                _loc(i, "revert"), f"{name!r} is already reverted by {step_ref(done, steps[done])}"
            )
        reverted.setdefault(name, i)


@dataclass(frozen=True)
class Window:
    """An expectation window: the step that opens it and the one that closes it."""

    name: str
    spec: ExpectSpec
    opened_at: int
    closed_at: int | None


def windows_of(steps: Sequence[StepBase]) -> list[Window]:
    """The expectation windows, in the order they open (a valid schedule closes each once)."""
    opened = {s.expect.window: i for i, s in enumerate(steps) if isinstance(s, ExpectStep)}
    closed = {s.close: i for i, s in enumerate(steps) if isinstance(s, CloseStep)}
    out = []
    for name, at in opened.items():
        step = steps[at]
        assert isinstance(step, ExpectStep)
        out.append(Window(name, step.expect, at, closed.get(name)))
    return out


def window_findings(steps: Sequence[StepBase]) -> Iterator[Finding]:
    """Each window opens once, then closes once; `close` names a window opened before it."""
    opened: dict[str, int] = {}
    closed: dict[str, int] = {}
    for i, step in enumerate(steps):
        if isinstance(step, ExpectStep):
            name = step.expect.window
            if name in opened:
                first = opened[name]
                yield Finding(
                    _loc(i, "expect", "window"),
                    f"window {name!r} is already opened by {step_ref(first, steps[first])}",
                )
            opened.setdefault(name, i)
        elif isinstance(step, CloseStep):
            yield from _close_findings(steps, i, step.close, opened, closed)
            closed.setdefault(step.close, i)
    for name, at in opened.items():
        if name not in closed:
            yield Finding(
                _loc(at, "expect", "window"),
                f"window {name!r} is never closed: add a step `close: {name}`",
            )


def _close_findings(
    steps: Sequence[StepBase], i: int, name: str, opened: dict[str, int], closed: dict[str, int]
) -> Iterator[Finding]:
    later = next(
        (j for j, s in enumerate(steps) if isinstance(s, ExpectStep) and s.expect.window == name),
        None,
    )
    where = _loc(i, "close")
    if later is None:
        known = ", ".join(opened) or "none opened so far"
        yield Finding(where, f"close of {name!r}: no expect step opens window {name!r} ({known})")
    elif name not in opened:
        yield Finding(
            where,
            f"close of {name!r} before the step that opens it ({step_ref(later, steps[later])})",
        )
    elif name in closed:
        done = closed[name]
        yield Finding(where, f"window {name!r} is already closed by {step_ref(done, steps[done])}")


def probe_findings(steps: Sequence[StepBase], probes: Sequence[str]) -> Iterator[Finding]:
    """Waits and windows name a probe of the scenario (`main` or one under `probes:`)."""
    known = ", ".join(probes)
    for i, step in enumerate(steps):
        if isinstance(step, ExpectStep) and step.expect.probe not in probes:
            yield Finding(
                _loc(i, "expect", "probe"), f"unknown probe {step.expect.probe!r} ({known})"
            )
        wait = step.wait if isinstance(step, WaitStep) else None
        if isinstance(wait, ProbeWaitSpec) and wait.probe not in probes:
            yield Finding(_loc(i, "wait", "probe"), f"unknown probe {wait.probe!r} ({known})")


def from_step_findings(
    steps: Sequence[StepBase] | None, from_step: str | None
) -> Iterator[Finding]:
    """`recovery.from_step` names a step of this scenario."""
    if from_step is None:
        return
    where = ("recovery", "from_step")
    if steps is None:
        yield Finding(where, "from_step names a step, and this scenario has 'fault:', no steps")
        return
    names = [s.name for s in steps if s.name]
    if from_step not in names:
        known = ", ".join(names) or "no step has a name"
        yield Finding(where, f"unknown step {from_step!r} (named steps: {known})")


def schedule_findings(
    steps: Sequence[StepBase] | None, probes: Sequence[str], from_step: str | None
) -> list[Finding]:
    """Every problem of the schedule as a whole: step by step, then `from_step`."""
    found: list[Finding] = []
    if steps is not None:
        found += [
            *name_findings(steps),
            *revert_findings(steps),
            *window_findings(steps),
            *probe_findings(steps, probes),
        ]
        found.sort(key=lambda f: f.loc[1])  # by step
    return found + list(from_step_findings(steps, from_step))
