"""Steady state: were clients healthy right before the fault, and all along before it?"""

from __future__ import annotations

from dataclasses import dataclass

from hachaos.checks._ops import is_failure, select_ops
from hachaos.history import FaultPhase, History, Op


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
        reason = f"{len(failed)} of the last {samples} ops not ok, first: {_describe(failed[0])}"
        return SteadyState(False, reason, ok_count, samples)
    return SteadyState(True, f"last {samples} ops ok", ok_count, samples)


@dataclass(frozen=True)
class BeforeFault:
    """Client errors between the first ok op and the fault's inject (the whole before-window).

    Failures before the first ok op are warm-up (clients connecting to a stack still settling)
    and only counted in ``warmup``; every failure after it happened with no fault injected.
    """

    ops: int
    errors: int
    first_error: str = ""
    warmup: int = 0


def before_fault(
    history: History, *, process: str | None = None, origin_ns: int | None = None
) -> BeforeFault | None:
    """Judge every op from the first ok one up to the first inject (or `origin_ns`: a
    scenario's first action step); None without either."""
    inject = history.first_fault(FaultPhase.INJECT)
    end_ns = origin_ns if origin_ns is not None else inject.at_ns if inject else None
    if end_ns is None:
        return None
    ops = [o for o in select_ops(history, process=process, kind=None) if o.end_ns <= end_ns]
    first_ok = next((i for i, o in enumerate(ops) if not is_failure(o)), len(ops))
    judged = ops[first_ok:]
    failed = [o for o in judged if is_failure(o)]
    first = _describe(failed[0]) if failed else ""
    return BeforeFault(len(judged), len(failed), first, first_ok)


def _describe(op: Op) -> str:
    return f"{op.kind} {op.outcome}" + (f" ({op.error})" if op.error else "")
