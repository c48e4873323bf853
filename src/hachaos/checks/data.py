"""Jepsen-style set checker over an acknowledged-writes ledger.

Writes are ops of kind ``write`` that carry a ``key``. After healing, a FinalRead lists every
key found. Against the last *complete* final read:

* acknowledged: keys with an ``ok`` write; lost: acknowledged but missing from the read.
* unexpected: read but never attempted by any process in the history.
* duplicated: keys present more than once in the read.
* recovered: indeterminate (``unknown``) writes that did land; unknown_missing: those that
  did not. Neither is an error: the client was told nothing definite.
* failed_present: writes the client saw ``fail`` for that landed anyway (reported, not judged).

``ack_rate`` is acknowledged writes per second over the span of the ledger's writes (first
start to last end): a ledger too slow to see a loss shows here.

``valid`` is None (unknown) without a complete final read or with fewer than
``min_acknowledged`` acknowledged writes: unknown is never a pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from hachaos.history import FinalRead, History, Op, Outcome


@dataclass(frozen=True)
class SetResult:
    """The outcome of the set check; key tuples are sorted."""

    valid: bool | None
    reason: str
    attempted: int
    acknowledged: int
    lost: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()
    duplicated: tuple[str, ...] = ()
    recovered: tuple[str, ...] = ()
    unknown_missing: tuple[str, ...] = ()
    failed_present: tuple[str, ...] = ()
    read_at_ns: int | None = None
    ack_rate: float | None = None  # acknowledged writes per second of writing


def check_set(
    history: History, *, process_prefix: str | None = None, min_acknowledged: int = 1
) -> SetResult:
    """Judge the ledger's writes (by processes starting with `process_prefix`) against the read."""
    all_writes = [op for op in history.ops if op.kind == "write" and op.key is not None]
    mine = [
        op for op in all_writes if process_prefix is None or op.process.startswith(process_prefix)
    ]
    by_outcome = _keys_by_outcome(mine)
    acked = by_outcome[Outcome.OK]
    attempted = len({op.key for op in mine})
    rate = _ack_rate(mine, len(acked))
    read = _last_complete(history.final_reads)
    if read is None:
        why = "no complete final read" if history.final_reads else "no final read"
        return SetResult(None, why, attempted, len(acked), ack_rate=rate)
    if len(acked) < min_acknowledged:
        why = f"only {len(acked)} acknowledged write(s), need {min_acknowledged}"
        return SetResult(None, why, attempted, len(acked), read_at_ns=read.at_ns, ack_rate=rate)
    result = _judge(read, by_outcome, {op.key for op in all_writes if op.key}, attempted)
    return replace(result, ack_rate=rate)


def _ack_rate(writes: list[Op], acked: int) -> float | None:
    """Acknowledged writes per second from the first write's start to the last one's end."""
    if not writes:
        return None
    span_ns = max(op.end_ns for op in writes) - min(op.start_ns for op in writes)
    return acked * 1e9 / span_ns if span_ns > 0 else None


def _keys_by_outcome(writes: list[Op]) -> dict[Outcome, set[str]]:
    """Keys per best outcome: ok beats unknown beats fail (a retried key counts once)."""
    seen: dict[str, Outcome] = {}
    rank = {Outcome.FAIL: 0, Outcome.UNKNOWN: 1, Outcome.OK: 2}
    for op in writes:
        assert op.key is not None
        prev = seen.get(op.key)
        if prev is None or rank[op.outcome] > rank[prev]:
            seen[op.key] = op.outcome
    out: dict[Outcome, set[str]] = {o: set() for o in Outcome}
    for key, outcome in seen.items():
        out[outcome].add(key)
    return out


def _last_complete(reads: tuple[FinalRead, ...]) -> FinalRead | None:
    return next((r for r in reversed(reads) if r.complete), None)


def _judge(
    read: FinalRead, by_outcome: dict[Outcome, set[str]], everything: set[str], attempted: int
) -> SetResult:
    counts = Counter(read.keys)
    present = set(counts)
    acked, unknown = by_outcome[Outcome.OK], by_outcome[Outcome.UNKNOWN]
    lost = acked - present
    unexpected = present - everything
    duplicated = {k for k, n in counts.items() if n > 1}
    problems = [(lost, "lost"), (unexpected, "unexpected"), (duplicated, "duplicated")]
    reason = (
        ", ".join(f"{len(s)} {name}" for s, name in problems if s) or "all acknowledged present"
    )
    return SetResult(
        valid=not (lost or unexpected or duplicated),
        reason=reason,
        attempted=attempted,
        acknowledged=len(acked),
        lost=tuple(sorted(lost)),
        unexpected=tuple(sorted(unexpected)),
        duplicated=tuple(sorted(duplicated)),
        recovered=tuple(sorted(unknown & present)),
        unknown_missing=tuple(sorted(unknown - present)),
        failed_present=tuple(sorted(by_outcome[Outcome.FAIL] & present)),
        read_at_ns=read.at_ns,
    )
