"""YAML loading that remembers the line of every key, so errors can say `file:line`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from hachaos.errors import ConfigError, Problem

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """Parsed YAML data plus the 1-based line of every key / item path."""

    file: str
    data: dict[str, Any]
    lines: dict[Loc, int]

    def line_of(self, loc: Loc) -> int:
        """The line of `loc`, or of its nearest ancestor that has one."""
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return 1

    def problem(self, loc: Loc, message: str) -> Problem:
        """A Problem placed at `loc`."""
        return Problem(self.file, self.line_of(loc), message)


def _walk(
    node: yaml.Node, loc: Loc, lines: dict[Loc, int], problems: list[Problem], file: str
) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem(file, line, f"duplicate key '{key}'"))
            seen.add(key)
            lines[(*loc, key)] = line
            _walk(value_node, (*loc, key), lines, problems, file)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[(*loc, i)] = item.start_mark.line + 1
            _walk(item, (*loc, i), lines, problems, file)


def load_located(path: Path) -> Located:
    """Parse `path`; malformed YAML, an empty file or a non-mapping raise ConfigError."""
    file = str(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise ConfigError([Problem(file, 1, f"cannot read file: {exc.strerror}")]) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise ConfigError([Problem(file, line, f"malformed YAML: {exc.problem}")]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([Problem(file, 1, f"malformed YAML: {exc}")]) from None
    if node is None or data is None:
        raise ConfigError([Problem(file, 1, "file is empty: expected a mapping")])
    if not isinstance(data, dict):
        raise ConfigError(
            [Problem(file, 1, f"expected a mapping at the top level, got {type(data).__name__}")]
        )
    lines: dict[Loc, int] = {}
    problems: list[Problem] = []
    _walk(node, (), lines, problems, file)
    if problems:
        raise ConfigError(problems)
    return Located(file, data, lines)
