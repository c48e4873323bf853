"""Stack parameter values given on the command line (`--hachaos-stack-param version=2`): the
same catalog run against another value of a stack's parameter, e.g. a new release.

Rules, per scenario point:
- a parameter its stack does not declare is not its business (the catalog mixes stacks);
- a value the scenario sets itself (`stack_params`, `matrix`) wins: the scenario needs it
  (a rolling upgrade starts on release 1). The point gets a note saying the override was not
  applied, so the report never claims a value the run did not have;
- otherwise the override is applied, and the point gets a note naming it;
- a value the stack does not accept is a `<command line>` problem naming the stack.

The scenario's name is unchanged: the runs of one catalog with two values are compared
scenario by scenario (`hachaos compare`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from hachaos.errors import Problem
from hachaos.spec.matrix import Point
from hachaos.spec.params import StackHead, render

OPTION = "--hachaos-stack-param"
COMMAND_LINE = "<command line>"


@dataclass(frozen=True)
class Overridden:
    """A point with the command line's values applied, what to say about them, and what was
    wrong with them."""

    point: Point
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


def parse_assignment(text: str) -> tuple[str, str]:
    """`NAME=VALUE` -> (NAME, VALUE); ValueError without a name or an `=`."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ValueError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def apply_overrides(
    point: Point, head: StackHead, overrides: Mapping[str, str], stack: str
) -> Overridden:
    """`point` with every override its stack declares and the scenario leaves open."""
    values = dict(point.values)
    notes: list[str] = []
    problems: list[Problem] = []
    for name, text in overrides.items():
        if name not in head.parameters:
            continue
        value = head.parse(name, text)
        why = head.value_problems({name: value}).get(name)
        if why is not None:
            message = f"{OPTION} {name}={text}: stack '{stack}': {why}"
            problems.append(Problem(COMMAND_LINE, 1, message))
        elif name in point.values and point.values[name] != value:
            kept = render(point.values[name])
            notes.append(f"{OPTION} {name}={text} not applied: the scenario sets {name}={kept}")
        elif name not in point.values:
            values[name] = value
            notes.append(f"{name}={render(value)} ({OPTION})")
    return Overridden(Point(values, point.varying), tuple(notes), tuple(problems))
