"""Small shared helpers for checkers: selecting ops and measuring the probe interval."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from statistics import median

from hachaos.history import History, Op, Outcome

NS_PER_S = 1_000_000_000


def select_ops(history: History, *, process: str | None, kind: str | None) -> tuple[Op, ...]:
    """The history's ops (ordered by start) issued by `process` and of `kind`, when given."""
    return tuple(
        op
        for op in history.ops
        if (process is None or op.process == process) and (kind is None or op.kind == kind)
    )


def is_failure(op: Op) -> bool:
    """Whether an op counts against availability: fail or unknown."""
    return op.outcome is not Outcome.OK


def probe_interval_s(ops: Sequence[Op]) -> float | None:
    """The median gap between consecutive op starts, or None with fewer than two ops."""
    gaps = [b.start_ns - a.start_ns for a, b in pairwise(ops)]
    return median(gaps) / NS_PER_S if gaps else None


def to_s(ns: int) -> float:
    """Nanoseconds to seconds."""
    return ns / NS_PER_S
