"""Operator commands run inside the picked nodes, each bounded by the step's deadline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from hachaos.clock import Clock
from hachaos.node import ExecResult, Node
from hachaos.redact import redact

SNIPPET_CHARS = 160
MIN_EXEC_S = 1.0  # coreutils `timeout` takes whole runs; below this a command cannot start


@dataclass(frozen=True)
class NodeRun:
    """One node's run of a command (`result` None: the deadline passed before it ran)."""

    node: str
    result: ExecResult | None

    def describe(self) -> str:
        """`app-1: exit 0, 'maintenance: on'` (output redacted and cut short)."""
        if self.result is None:
            return f"{self.node}: not run, the step's deadline had passed"
        return f"{self.node}: exit {self.result.exit_code}, {snippet(self.result.output)!r}"


def snippet(output: str) -> str:
    """Output for a report line: secrets masked, whitespace collapsed, cut short."""
    text = " ".join(redact(output).split())
    return text if len(text) <= SNIPPET_CHARS else text[: SNIPPET_CHARS - 3] + "..."


def run_on(
    nodes: list[Node], command: tuple[str, ...], timeout_s: float, deadline_ns: int, clock: Clock
) -> list[NodeRun]:
    """Run `command` on each node in turn, each within `timeout_s` and the deadline."""
    runs = []
    for node in nodes:
        remaining = (deadline_ns - clock.now_ns()) / 1e9
        if remaining < MIN_EXEC_S:
            runs.append(NodeRun(node.name, None))
            continue
        runs.append(NodeRun(node.name, node.exec(command, min(timeout_s, remaining))))
    return runs


def matches(pattern: str | None, output: str) -> bool:
    """Whether `pattern` (None: anything) is found in `output`; `^` and `$` match at every
    line."""
    return pattern is None or re.search(pattern, output, re.MULTILINE) is not None
