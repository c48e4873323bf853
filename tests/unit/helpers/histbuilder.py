"""A tiny builder for synthetic histories: one op every 50 ms on a fake ns timeline."""

from __future__ import annotations

from hachaos.history import FaultEvent, FaultPhase, FinalRead, History, Op, Outcome

MS = 1_000_000
STEP_NS = 50 * MS
SYMBOLS = {".": Outcome.OK, "x": Outcome.FAIL, "?": Outcome.UNKNOWN}


class Timeline:
    """Append ops from a pattern ('.' ok, 'x' fail, '?' unknown) and fault events at 'now'."""

    def __init__(self) -> None:
        self.history = History()
        self.t = 1_000 * MS

    def op(
        self,
        outcome: str = ".",
        *,
        process: str = "probe",
        kind: str = "read",
        dur_ms: float = 5,
        key: str | None = None,
        value: str | None = None,
    ) -> Timeline:
        end = self.t + int(dur_ms * MS)
        op = Op(process, kind, self.t, end, SYMBOLS[outcome], key=key, value=value)
        self.history.add_op(op)
        self.t += STEP_NS
        return self

    def ops(
        self,
        pattern: str,
        *,
        process: str = "probe",
        kind: str = "read",
        dur_ms: float = 5,
        value: str | None = None,
    ) -> Timeline:
        for c in pattern:
            self.op(c, process=process, kind=kind, dur_ms=dur_ms, value=value)
        return self

    def write(self, key: str, outcome: str = ".", *, process: str = "ledger-1") -> Timeline:
        return self.op(outcome, kind="write", key=key, process=process)

    def fault(self, phase: FaultPhase, fault: str = "kill", target: str = "pg-1") -> Timeline:
        self.history.add_fault(FaultEvent(self.t, phase, fault, target))
        return self

    def inject(self) -> Timeline:
        return self.fault(FaultPhase.INJECT)

    def revert(self) -> Timeline:
        return self.fault(FaultPhase.REVERT)

    def final_read(self, *keys: str, complete: bool = True) -> Timeline:
        self.history.add_final_read(FinalRead(self.t, tuple(keys), complete))
        return self

    def wait_ms(self, ms: float) -> Timeline:
        self.t += int(ms * MS)
        return self
