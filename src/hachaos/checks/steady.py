"""Steady state: were clients healthy right before the fault?"""

from __future__ import annotations

from dataclasses import dataclass

from hachaos.checks._ops import is_failure, select_ops
from hachaos.history import History


@dataclass(frozen=True)
class SteadyState:
    """Whether the last `samples` ops before a moment were all ok, and why not."""

    ok: bool
    reason: str
    ok_count: int
    samples: int = 0


def steady_state(
    history: History,
    *,
    before_ns: int,
    samples: int = 10,
    process: str | None = None,
    kind: str | None = None,
) -> SteadyState:
    """Check that the last `samples` ops that ended at or before `before_ns` were all ok.

    Fewer than `samples` such ops is not steady: there is not enough evidence.
    """
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples!r}")
    ops = [o for o in select_ops(history, process=process, kind=kind) if o.end_ns <= before_ns]
    last = sorted(ops, key=lambda o: o.end_ns)[-samples:]
    ok_count = sum(1 for o in last if not is_failure(o))
    if len(last) < samples:
        reason = f"only {len(last)} op(s) before the fault, need {samples}"
        return SteadyState(False, reason, ok_count, samples)
    failed = [o for o in last if is_failure(o)]
    if failed:
        first = failed[0]
        why = f"{first.kind} {first.outcome}" + (f" ({first.error})" if first.error else "")
        reason = f"{len(failed)} of the last {samples} ops not ok, first: {why}"
        return SteadyState(False, reason, ok_count, samples)
    return SteadyState(True, f"last {samples} ops ok", ok_count, samples)
