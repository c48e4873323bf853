"""The recorded history of a scenario: client operations and fault events on one clock.

Record first, judge after: probes, workloads and faults append frozen events here; checkers
are pure functions of a History.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum
from pathlib import Path


class Outcome(StrEnum):
    """What a client learnt about one operation."""

    OK = "ok"
    FAIL = "fail"  # definitely did not happen (refused before sending, explicit error)
    UNKNOWN = "unknown"  # indeterminate: timeout or connection lost after sending


class FaultPhase(StrEnum):
    """The moments of a fault's life that a history records."""

    INJECT = "inject"  # written just before the fault is applied
    EFFECTIVE = "effective"  # efficacy confirmed: the fault really holds
    INEFFECTIVE = "ineffective"  # efficacy check failed
    REVERT = "revert"  # fault undone


@dataclass(frozen=True)
class Op:
    """One client operation with monotonic start/end times (ns)."""

    process: str  # which client issued it, e.g. "probe" or "ledger-3"
    kind: str  # "write", "read", "connect", "publish", ...
    start_ns: int
    end_ns: int
    outcome: Outcome
    key: str | None = None  # the unique id a ledger wrote, if any
    error: str | None = None  # error class name when not ok
    value: str | None = None


@dataclass(frozen=True)
class FaultEvent:
    """A fault's inject / efficacy / revert moment on the history clock."""

    at_ns: int
    phase: FaultPhase
    fault: str  # e.g. "kill"
    target: str  # e.g. node name or link name
    detail: str = ""


class StepOutcome(StrEnum):
    """How one step of a scenario's schedule ended."""

    OK = "ok"
    FAILED = "failed"  # a runbook command or a wait did not do what the scenario predicts
    SKIPPED = "skipped"  # not run: an earlier step failed or the schedule stopped


@dataclass(frozen=True)
class StepEvent:
    """One step of a scenario's schedule on the history clock: which (`index` in the file,
    `name`, `kind`), when (start and end, ns), and how it ended."""

    index: int
    name: str | None
    kind: str  # inject, revert, run, wait, hold_s, expect, close
    start_ns: int
    end_ns: int
    outcome: StepOutcome
    detail: str = ""


@dataclass(frozen=True)
class FinalRead:
    """The set of keys read back after healing; `complete` is False if the read failed."""

    at_ns: int
    keys: tuple[str, ...]
    complete: bool = True


class History:
    """Thread-safe append-only record of ops, fault events, steps and final reads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ops: list[Op] = []
        self._faults: list[FaultEvent] = []
        self._steps: list[StepEvent] = []
        self._reads: list[FinalRead] = []

    def add_op(self, op: Op) -> None:
        """Append one client operation."""
        with self._lock:
            self._ops.append(op)

    def add_fault(self, event: FaultEvent) -> None:
        """Append one fault event."""
        with self._lock:
            self._faults.append(event)

    def add_step(self, event: StepEvent) -> None:
        """Append one finished (or skipped) step."""
        with self._lock:
            self._steps.append(event)

    def add_final_read(self, read: FinalRead) -> None:
        """Append a read-back of everything a ledger wrote."""
        with self._lock:
            self._reads.append(read)

    @property
    def ops(self) -> tuple[Op, ...]:
        """All operations, ordered by start time."""
        with self._lock:
            return tuple(sorted(self._ops, key=lambda o: (o.start_ns, o.end_ns)))

    @property
    def faults(self) -> tuple[FaultEvent, ...]:
        """All fault events, ordered by time."""
        with self._lock:
            return tuple(sorted(self._faults, key=lambda f: f.at_ns))

    @property
    def steps(self) -> tuple[StepEvent, ...]:
        """All step events, in schedule order."""
        with self._lock:
            return tuple(sorted(self._steps, key=lambda e: e.index))

    def step(self, index: int) -> StepEvent | None:
        """The event of step `index`, if it was recorded."""
        return next((e for e in self.steps if e.index == index), None)

    @property
    def final_reads(self) -> tuple[FinalRead, ...]:
        """All final reads, in the order recorded."""
        with self._lock:
            return tuple(self._reads)

    def first_fault(self, phase: FaultPhase = FaultPhase.INJECT) -> FaultEvent | None:
        """The earliest fault event of `phase`, if any."""
        return next((f for f in self.faults if f.phase == phase), None)

    def to_jsonl(self) -> str:
        """Serialise as JSON lines: one record per op / fault event / step / final read."""
        lines: list[str] = []
        for op in self.ops:
            lines.append(json.dumps({"type": "op", **asdict(op)}))
        for ev in self.faults:
            lines.append(json.dumps({"type": "fault", **asdict(ev)}))
        for st in self.steps:
            lines.append(json.dumps({"type": "step", **asdict(st)}))
        for rd in self.final_reads:
            lines.append(json.dumps({"type": "final_read", **asdict(rd)}))
        return "\n".join(lines) + ("\n" if lines else "")

    def save(self, path: Path) -> None:
        """Write the history as JSON lines to `path`."""
        path.write_text(self.to_jsonl())

    @classmethod
    def from_jsonl(cls, lines: Iterable[str]) -> History:
        """Rebuild a history from JSON lines."""
        h = cls()
        for line in lines:
            if not line.strip():
                continue
            rec = json.loads(line)
            kind = rec.pop("type")
            if kind == "op":
                rec["outcome"] = Outcome(rec["outcome"])
                h.add_op(Op(**rec))
            elif kind == "fault":
                rec["phase"] = FaultPhase(rec["phase"])
                h.add_fault(FaultEvent(**rec))
            elif kind == "step":
                rec["outcome"] = StepOutcome(rec["outcome"])
                h.add_step(StepEvent(**rec))
            elif kind == "final_read":
                rec["keys"] = tuple(rec["keys"])
                h.add_final_read(FinalRead(**rec))
        return h
