"""The loss window (an RPO in seconds): how far back acknowledged-then-lost writes reach.

Definitions (on the history's monotonic clock):

* A lost write's *ack time* is the end of its first ``ok`` write op (when the client was told).
* The *failover point* is when clients first saw the fault: the start (not earlier than the
  inject) of the first failed or indeterminate op, of any process, still running at or started
  after the first INJECT. Without such an op (clients never noticed) it is the inject itself;
  without an inject, the last lost ack.
* The *loss window* is ``max(failover point, last lost ack) - first lost ack``: every lost write
  was acknowledged no earlier than that many seconds before clients saw the failover, and a
  write acknowledged (and lost) after it (split brain) widens the window to cover it.
  With no lost write the window is 0.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from hachaos.checks._ops import is_failure, to_s
from hachaos.history import FaultPhase, History, Outcome


@dataclass(frozen=True)
class LossWindow:
    """How far back lost acknowledged writes reach from the failover point."""

    window_s: float
    lost: int
    failover_ns: int | None
    reference: str  # what the failover point is: "first failure", "inject" or "last lost ack"
    first_ack_ns: int | None = None
    last_ack_ns: int | None = None


def loss_window(
    history: History, lost: Collection[str], origin_ns: int | None = None
) -> LossWindow:
    """Measure the loss window of the `lost` keys; see the module docstring. `origin_ns`
    stands in for the first INJECT when given (a scenario's first action step)."""
    acks = _ack_times(history, set(lost))
    if not acks:
        return LossWindow(0.0, 0, None, "no lost write")
    first, last = min(acks), max(acks)
    failover, reference = _failover_point(history, origin_ns)
    if failover is None:
        failover, reference = last, "last lost ack"
    window = to_s(max(failover, last) - first)
    return LossWindow(window, len(acks), failover, reference, first, last)


def _ack_times(history: History, keys: set[str]) -> list[int]:
    """The first acknowledgement time of each key in `keys`."""
    acks: dict[str, int] = {}
    for op in history.ops:
        if op.key in keys and op.kind == "write" and op.outcome is Outcome.OK:
            acks[op.key] = min(acks.get(op.key, op.end_ns), op.end_ns)
    return list(acks.values())


def _failover_point(history: History, origin_ns: int | None) -> tuple[int | None, str]:
    """When clients first saw the fault (see the module docstring), and what that point is."""
    inject = history.first_fault(FaultPhase.INJECT)
    inject_ns = origin_ns if origin_ns is not None else inject.at_ns if inject else None
    if inject_ns is None:
        return None, ""
    failures = [op for op in history.ops if op.end_ns > inject_ns and is_failure(op)]
    if not failures:
        return inject_ns, "inject"
    first = min(max(op.start_ns, inject_ns) for op in failures)
    return first, "first failure"
