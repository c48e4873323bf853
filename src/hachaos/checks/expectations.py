"""Expectation windows: did a probe really see the outage (or the availability) a scenario's
steps predict between `expect:` and `close:`?

Definitions (on the history clock):

* The window opens at the start of its `expect` step and closes at the start of its `close`
  step; when the schedule stopped before the close (a step failed), at the end of the last
  step recorded. A window whose `expect` step never ran was not observed.
* Judged ops: those of the window's probe that *started* at or after open + `grace_s` and
  before the close: the grace is the transition the design allows at the window's start.
* An op is ok, or failed (``fail`` or ``unknown``: not a success the client saw).
"""

from __future__ import annotations

from dataclasses import dataclass

from hachaos.checks._ops import is_failure, select_ops, to_s
from hachaos.history import History, Op


@dataclass(frozen=True)
class WindowCheck:
    """What one expectation window saw: its span (None: never opened) and its judged ops."""

    name: str
    probe: str
    state: str  # "available" | "unavailable"
    grace_s: float
    open_ns: int | None
    close_ns: int | None
    ok: int = 0
    failed: int = 0
    first_ok: Op | None = None
    first_failed: Op | None = None

    @property
    def observed(self) -> bool:
        """True when the window opened (its expect step ran)."""
        return self.open_ns is not None

    @property
    def ops(self) -> int:
        """Judged ops (after the grace period)."""
        return self.ok + self.failed

    @property
    def span_s(self) -> float:
        """How long the window was open."""
        if self.open_ns is None or self.close_ns is None:
            return 0.0
        return to_s(self.close_ns - self.open_ns)

    def counts(self) -> str:
        """`0 ok, 57 failed of 57 ops after 2s grace (window 12.4s)`."""
        return (
            f"{self.ok} ok, {self.failed} failed of {self.ops} ops after {self.grace_s:g}s "
            f"grace (window {self.span_s:.1f}s)"
        )


def expectation(
    history: History,
    *,
    name: str,
    probe: str,
    process: str,
    state: str,
    grace_s: float,
    opened_at: int,
    closed_at: int | None,
) -> WindowCheck:
    """The window opened by step `opened_at` and closed by step `closed_at`, judged on the ops
    of `process` (the probe called `probe`); see the module docstring."""
    opened = history.step(opened_at)
    if opened is None:
        return WindowCheck(name, probe, state, grace_s, None, None)
    closed = history.step(closed_at) if closed_at is not None else None
    close_ns = closed.start_ns if closed is not None else _schedule_end(history)
    since = opened.start_ns + int(grace_s * 1e9)
    judged = [
        op
        for op in select_ops(history, process=process, kind=None)
        if since <= op.start_ns < close_ns
    ]
    ok = [op for op in judged if not is_failure(op)]
    failed = [op for op in judged if is_failure(op)]
    return WindowCheck(
        name,
        probe,
        state,
        grace_s,
        opened.start_ns,
        close_ns,
        len(ok),
        len(failed),
        ok[0] if ok else None,
        failed[0] if failed else None,
    )


def _schedule_end(history: History) -> int:
    """When the last recorded step ended."""
    return max(e.end_ns for e in history.steps)
