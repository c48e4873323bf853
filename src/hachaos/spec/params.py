"""Stack parameters, node templates and derived strings: the declarations of a parametrised
stack (e.g. a quorum cluster of `size` 1, 3 or 5), validated before the stack is expanded.

```yaml
parameters:
  size: {default: 3, choices: [1, 3, 5], notes: {"1": "not HA: ..."}}
node_templates:
  server: {count: size, node: {role: app, command: [..., "${name}", "${initial_cluster}"]}}
vars:
  initial_cluster: {each: server, format: "${name}=http://${name}:2380", join: ","}
```

See `hachaos.spec.expand` for how they become plain nodes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import AfterValidator, Field, StrictInt, StrictStr, model_validator

from hachaos.spec.models import MAX_NODES, Model, Name, SpecError, duplicates, short

ParamValue = StrictInt | StrictStr
LOCALS = ("index", "name")  # what a template gives each node it generates
IDENT_RE = re.compile(r"[a-z][a-z0-9_]{0,30}")
INT_RE = re.compile(r"-?[0-9]{1,18}")


def _ident(value: str) -> str:
    if IDENT_RE.fullmatch(value) is None:
        raise ValueError(
            f"{short(value)} must be 1-31 lower-case letters, digits and '_' (a letter first)"
        )
    if value in LOCALS:
        raise ValueError(f"'{value}' is reserved: every generated node has its own ${{{value}}}")
    return value


Ident = Annotated[str, AfterValidator(_ident)]


def render(value: ParamValue) -> str:
    """A parameter value as it is substituted and shown (`size=3`)."""
    return str(value)


class ParameterSpec(Model):
    """One stack parameter: its default, the values it accepts (any of the default's type
    when `choices` is not given), and a note shown with every verdict of a value (e.g. a
    size that is not highly available)."""

    default: ParamValue
    choices: tuple[ParamValue, ...] | None = Field(default=None, min_length=1, max_length=100)
    description: str = ""
    notes: dict[str, Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _consistent(self) -> ParameterSpec:
        if self.choices is not None:
            dups = duplicates(self.choices)
            if dups:
                raise SpecError(("choices", dups[0]), "the same choice is listed twice")
            if self.default not in self.choices:
                raise SpecError(("default",), f"default {self.default!r} is not one of the choices")
        allowed = {render(v) for v in self.allowed()}
        for key in self.notes:
            if self.choices is not None and key not in allowed:
                raise SpecError(
                    ("notes", key), f"note for {key!r}, which is not one of the choices"
                )
        return self

    def allowed(self) -> tuple[ParamValue, ...]:
        """The values to validate the stack with: its choices, else the default."""
        return self.choices if self.choices is not None else (self.default,)

    def problem(self, value: object) -> str | None:
        """Why `value` is not accepted, or None when it is."""
        if self.choices is not None and value not in self.choices:
            shown = ", ".join(render(c) for c in self.choices)
            return f"{short(value)} is not one of the stack's choices ({shown})"
        if type(value) is not type(self.default):
            return f"{short(value)} is not a {type(self.default).__name__} like the default"
        return None

    def note(self, value: ParamValue) -> str | None:
        """The note the stack gives for `value`, if any."""
        return self.notes.get(render(value))


class NodeTemplateSpec(Model):
    """Nodes `<template>-1` .. `<template>-N`, N = `count` (a number or an int parameter),
    each a `node` (a plain node declaration) where `${index}` and `${name}` are its own."""

    count: Annotated[int, Field(ge=1, le=MAX_NODES)] | Ident
    node: dict[str, Any]


class VarSpec(Model):
    """A string derived from a template's nodes: `format` once per node (with its `${name}`,
    `${index}` and the parameters), joined by `join`; e.g. etcd's `--initial-cluster`."""

    each: Name
    format: str = Field(min_length=1, max_length=2000)
    join: str = Field(default=",", max_length=100)


class StackHead(Model):
    """The declarations a parametrised stack adds to a plain one."""

    parameters: dict[Ident, ParameterSpec] = Field(default_factory=dict, max_length=20)
    node_templates: dict[Name, NodeTemplateSpec] = Field(default_factory=dict, max_length=20)
    vars: dict[Ident, VarSpec] = Field(default_factory=dict, max_length=50)

    @model_validator(mode="after")
    def _references(self) -> StackHead:
        for name, template in self.node_templates.items():
            if isinstance(template.count, str):
                self._count_ok(name, template.count)
        for name, var in self.vars.items():
            if name in self.parameters:
                raise SpecError(("vars", name), f"'{name}' is also a parameter")
            if var.each not in self.node_templates:
                known = ", ".join(self.node_templates) or "none"
                raise SpecError(
                    ("vars", name, "each"), f"unknown node template '{var.each}' ({known})"
                )
        return self

    def _count_ok(self, template: str, param: str) -> None:
        where = ("node_templates", template, "count")
        spec = self.parameters.get(param)
        if spec is None:
            known = ", ".join(self.parameters) or "none"
            raise SpecError(where, f"unknown parameter '{param}' (parameters: {known})")
        bad = [v for v in spec.allowed() if not (isinstance(v, int) and 1 <= v <= MAX_NODES)]
        if bad or spec.choices is None:
            raise SpecError(
                where,
                f"parameter '{param}' must have integer choices in 1..{MAX_NODES} to count nodes",
            )

    @property
    def parametrised(self) -> bool:
        """True when the stack uses any of this (and so `${...}` substitution)."""
        return bool(self.parameters or self.node_templates or self.vars)

    def values(self, given: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Every parameter's value: `given` where set, else its default."""
        return {name: given.get(name, spec.default) for name, spec in self.parameters.items()}

    def value_problems(self, given: Mapping[str, object]) -> dict[str, str]:
        """Per given parameter, why its value is not accepted (unknown ones included)."""
        found: dict[str, str] = {}
        for name, value in given.items():
            spec = self.parameters.get(name)
            if spec is None:
                known = ", ".join(self.parameters) or "none"
                found[name] = f"the stack has no parameter '{name}' (parameters: {known})"
            elif (why := spec.problem(value)) is not None:
                found[name] = why
        return found

    def choice_points(self) -> list[dict[str, ParamValue]]:
        """What to validate the stack with: the defaults, then each other choice of each
        parameter on its own (the others at their defaults)."""
        points: list[dict[str, ParamValue]] = [{}]
        for name, spec in self.parameters.items():
            points += [{name: v} for v in spec.allowed() if v != spec.default]
        return points

    def parse(self, name: str, text: str) -> ParamValue:
        """A value given as text (the command line) in the type of the parameter's default:
        `size=5` is the integer 5, `upgrade_to=2` the string '2'; unknown names stay text."""
        spec = self.parameters.get(name)
        if spec is not None and isinstance(spec.default, int) and INT_RE.fullmatch(text):
            return int(text)
        return text

    def notes(self, values: Mapping[str, ParamValue]) -> tuple[str, ...]:
        """The stack's notes for these values (`size=1: not HA ...`)."""
        found = []
        for name, spec in self.parameters.items():
            value = values.get(name, spec.default)
            note = spec.note(value)
            if note is not None:
                found.append(f"{name}={render(value)}: {note}")
        return tuple(found)


HEAD_KEYS = tuple(StackHead.model_fields)
