"""Faults are context managers: inject on enter, always revert on exit, record both.

The history gets an INJECT event *before* the fault is applied, then EFFECTIVE or INEFFECTIVE
once the efficacy check has looked, and REVERT once it is undone. Revert is idempotent.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.history import FaultEvent, FaultPhase, History


class Fault(ABC):
    """One injectable failure with a guaranteed, idempotent revert."""

    name: str = "fault"

    def __init__(self, target: str, history: History | None = None, clock: Clock = REAL_CLOCK):
        self.target = target
        self._history = history
        self._clock = clock
        self.effective: bool | None = None
        self.efficacy_detail = ""
        self._active = False

    def _record(self, phase: FaultPhase, detail: str = "") -> None:
        if self._history is not None:
            self._history.add_fault(
                FaultEvent(self._clock.now_ns(), phase, self.name, self.target, detail)
            )

    @abstractmethod
    def _apply(self) -> None: ...

    @abstractmethod
    def _undo(self) -> None: ...

    @abstractmethod
    def _holds(self) -> tuple[bool, str]:
        """Whether the fault currently holds, and what was observed."""

    def inject(self) -> None:
        """Record, apply, then check that the fault really holds."""
        self._record(FaultPhase.INJECT)
        self._active = True
        self._apply()
        self.effective, self.efficacy_detail = self._holds()
        phase = FaultPhase.EFFECTIVE if self.effective else FaultPhase.INEFFECTIVE
        self._record(phase, self.efficacy_detail)

    def revert(self) -> None:
        """Undo the fault; safe to call more than once."""
        if not self._active:
            return
        self._undo()
        self._active = False
        self._record(FaultPhase.REVERT)

    def __enter__(self) -> Fault:
        self.inject()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.revert()
