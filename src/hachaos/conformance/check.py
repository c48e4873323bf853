"""A planned conformance check: which group and role it belongs to, what it is about, and the
function that judges the live target. Planning needs only the stack spec and the profile."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hachaos.conformance.outcome import Outcome
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import Target

CLUSTER = "cluster"  # the subject of a check about a whole cluster, not one node


@dataclass(frozen=True)
class Check:
    """One check: `title` says what must hold; `judge` finds out on a live target."""

    group: str  # roles | network | hardware | workers | replication | backups | runtime
    role: str
    subject: str  # a node name, or CLUSTER
    name: str
    title: str
    judge: Callable[[Target], Outcome]

    @property
    def id(self) -> str:
        """`role/subject/name`, unique within a group's checks for one stack."""
        return f"{self.role}/{self.subject}/{self.name}"


def cannot_run(node: str, what: str, ran: Ran) -> Outcome:
    """A command the check needs did not run on `node`: the node is down or unreachable, or
    the tool is missing."""
    why = ran.why()
    if "not running" in why or "is paused" in why or ran.rc == -1:
        fix = f"start {node} (or fix its connection) and let it rejoin"
    elif ran.rc in (126, 127):
        fix = f"install what provides `{what}` on {node}, or set the command in the profile"
    elif ran.rc in (124, 137):  # coreutils `timeout`: TERM, KILL
        fix = f"find out why `{what}` hangs on {node} (it was killed at its deadline)"
    else:
        fix = f"make `{what}` work on {node}: its service may be down or misconfigured"
    return Outcome.failed(f"{node}: `{what}` failed ({why})", fix)
