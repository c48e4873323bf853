"""Expand a parametrised stack into a plain one for given parameter values.

- each node template generates `<template>-1` .. `<template>-N` (before the plain nodes);
- `${...}` in every string of a node is replaced: a parameter (`${size}`), a var
  (`${initial_cluster}`), and the node's own `${index}` and `${name}`; `$${` is a literal `${`;
  an unknown name is an error on that string's line; a dotted `${a.b}` is left as it is
  (references into other stacks are resolved elsewhere);
- a template's name in `depends_on` stands for all of its nodes;
- the result loses the declarations and gains `parameter_values` (what it was expanded
  with); generated keys point at their template's lines, so errors keep `file:line`.

Stacks that declare none of `parameters`, `node_templates` or `vars` are left untouched.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hachaos.errors import ConfigError, Problem
from hachaos.spec.params import HEAD_KEYS, ParamValue, StackHead, render
from hachaos.spec.yamlsrc import Loc, Located

TOKEN_RE = re.compile(r"\$\$\{|\$\{([^}.]*)\}")  # dotted `${a.b}`: not ours (stack references)
VALUES_KEY = "parameter_values"


@dataclass
class _Expansion:
    """The expanded data under construction, with the problems found so far."""

    src: Located
    head: StackHead
    values: dict[str, ParamValue]
    lines: dict[Loc, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    generated: dict[str, list[str]] = field(default_factory=dict)  # template -> its nodes

    def substitute(self, value: Any, scope: Mapping[str, str], loc: Loc) -> Any:
        """`value` with every `${name}` in its strings replaced from `scope`."""
        if isinstance(value, str):
            return self._text(value, scope, loc)
        if isinstance(value, list):
            return [self.substitute(v, scope, (*loc, i)) for i, v in enumerate(value)]
        if isinstance(value, dict):
            return {k: self.substitute(v, scope, (*loc, k)) for k, v in value.items()}
        return value

    def _text(self, text: str, scope: Mapping[str, str], loc: Loc) -> str:
        def one(match: re.Match[str]) -> str:
            if match.group(1) is None:
                return "${"
            name = match.group(1)
            if name in scope:
                return scope[name]
            known = ", ".join(sorted(scope))
            self.problems.append(
                self.src.problem(
                    loc,
                    f"unknown substitution '${{{name}}}' (known: {known}); "
                    "write '$${' for a literal '${'",
                )
            )
            return match.group(0)

        return TOKEN_RE.sub(one, text)

    def mirror(self, src_loc: Loc, dst_loc: Loc, value: Any) -> None:
        """Give `dst_loc` and everything below it the lines of `src_loc`'s counterparts."""
        line = self.src.lines.get(src_loc)
        if line is not None:
            self.lines[dst_loc] = line
        children: list[tuple[Any, Any]] = []
        if isinstance(value, dict):
            children = list(value.items())
        elif isinstance(value, list):
            children = list(enumerate(value))
        for key, child in children:
            self.mirror((*src_loc, key), (*dst_loc, key), child)


def _scope(exp: _Expansion) -> dict[str, str]:
    return {name: render(v) for name, v in exp.values.items()}


def _names(exp: _Expansion) -> None:
    for name, template in exp.head.node_templates.items():
        count = template.count if isinstance(template.count, int) else exp.values[template.count]
        assert isinstance(count, int)  # checked by StackHead
        exp.generated[name] = [f"{name}-{i}" for i in range(1, count + 1)]


def _vars(exp: _Expansion) -> dict[str, str]:
    out = {}
    for name, var in exp.head.vars.items():
        loc = ("vars", name, "format")
        parts = [
            exp.substitute(var.format, {**_scope(exp), "name": node, "index": str(i)}, loc)
            for i, node in enumerate(exp.generated[var.each], start=1)
        ]
        out[name] = var.join.join(parts)
    return out


def _template_nodes(exp: _Expansion, scope: Mapping[str, str]) -> dict[str, Any]:
    nodes: dict[str, Any] = {}
    for template, names in exp.generated.items():
        body = exp.head.node_templates[template].node
        src_loc: Loc = ("node_templates", template, "node")
        for i, name in enumerate(names, start=1):
            local = {**scope, "name": name, "index": str(i)}
            before = len(exp.problems)
            nodes[name] = exp.substitute(copy.deepcopy(body), local, src_loc)
            if i > 1:  # the same template: its problems were reported for its first node
                del exp.problems[before:]
            exp.lines[("nodes", name)] = exp.src.line_of(("node_templates", template))
            exp.mirror(src_loc, ("nodes", name), body)
    return nodes


def _plain_nodes(exp: _Expansion, scope: Mapping[str, str], nodes: dict[str, Any]) -> None:
    raw = exp.src.data.get("nodes")
    if not isinstance(raw, dict):
        return
    for name, body in raw.items():
        if name in nodes:
            exp.problems.append(
                exp.src.problem(("nodes", name), f"node '{name}' is also generated by a template")
            )
            continue
        nodes[name] = exp.substitute(body, {**scope, "name": str(name)}, ("nodes", name))
        exp.mirror(("nodes", name), ("nodes", name), body)


def _depends(exp: _Expansion, nodes: dict[str, Any]) -> None:
    """A template's name in `depends_on` stands for all of its nodes."""
    for name, body in nodes.items():
        deps = body.get("depends_on") if isinstance(body, dict) else None
        if not isinstance(deps, list) or not any(d in exp.generated for d in deps):
            continue
        loc = ("nodes", name, "depends_on")
        lines = [exp.lines.get((*loc, i), exp.lines.get(loc, 1)) for i in range(len(deps))]
        expanded, new_lines = [], []
        for dep, line in zip(deps, lines, strict=True):
            for each in exp.generated.get(dep, [dep]):
                expanded.append(each)
                new_lines.append(line)
        body["depends_on"] = expanded
        for i, line in enumerate(new_lines):
            exp.lines[(*loc, i)] = line


def expand(src: Located, head: StackHead, given: Mapping[str, ParamValue]) -> Located:
    """The plain stack `src` stands for with parameter values `given` (already validated);
    problems (unknown substitutions, clashing names) raise ConfigError."""
    if VALUES_KEY in src.data:
        where = src.problem((VALUES_KEY,), f"unknown key '{VALUES_KEY}' (set from a scenario)")
        raise ConfigError([where])
    if not head.parametrised:
        return src
    exp = _Expansion(src, head, head.values(given))
    exp.lines = {k: v for k, v in src.lines.items() if k[0] not in (*HEAD_KEYS, "nodes")}
    exp.lines[("nodes",)] = src.line_of(("nodes",)) if "nodes" in src.data else 1
    _names(exp)
    scope = {**_scope(exp), **_vars(exp)}
    nodes = _template_nodes(exp, scope)
    _plain_nodes(exp, scope, nodes)
    _depends(exp, nodes)
    if exp.problems:
        raise ConfigError(sorted(set(exp.problems), key=lambda p: p.line))
    data = {k: v for k, v in src.data.items() if k not in HEAD_KEYS}
    data["nodes"] = nodes
    data[VALUES_KEY] = dict(exp.values)
    return Located(src.file, data, exp.lines)
