"""Faults are context managers: inject on enter, always revert on exit, record both.

The history gets an INJECT event *before* the fault is applied, then EFFECTIVE or INEFFECTIVE
once the efficacy check has looked, and REVERT once it is undone. Revert is idempotent.
"""

from __future__ import annotations

import contextlib
import secrets
from abc import ABC, abstractmethod
from types import TracebackType
from typing import TYPE_CHECKING

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.history import FaultEvent, FaultPhase, History

if TYPE_CHECKING:
    from hachaos.reaper.journal import Journal
    from hachaos.reaper.undo import Undo


class Fault(ABC):
    """One injectable failure with a guaranteed, idempotent revert."""

    name: str = "fault"
    journal: Journal | None = None  # set by the builder: written BEFORE the fault is applied

    def __init__(self, target: str, history: History | None = None, clock: Clock = REAL_CLOCK):
        self.target = target
        self._history = history
        self._clock = clock
        self.effective: bool | None = None
        self.efficacy_detail = ""
        self._active = False
        self.fault_id = f"{self.name}-{secrets.token_hex(4)}"
        self._journalled = False

    def undo_record(self) -> Undo | None:
        """How a reaper undoes this fault without the runner (None: nothing to journal)."""
        return None

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
        undo = self.undo_record() if self.journal is not None else None
        if self.journal is not None and undo is not None:
            self.journal.begin(self.fault_id, self.target, undo)
            self._journalled = True
        self._active = True
        try:
            self._apply()
        except BaseException:
            self._revert_quietly()  # a half-applied fault is still reverted
            raise
        self.effective, self.efficacy_detail = self._holds()
        phase = FaultPhase.EFFECTIVE if self.effective else FaultPhase.INEFFECTIVE
        self._record(phase, self.efficacy_detail)

    def _revert_quietly(self) -> None:
        # the original error matters more; the journal still holds the undo record
        with contextlib.suppress(Exception):
            self.revert()

    def revert(self) -> None:
        """Undo the fault; safe to call more than once."""
        if not self._active:
            return
        self._undo()
        self._active = False
        if self.journal is not None and self._journalled:
            self.journal.undone(self.fault_id)
        self._record(FaultPhase.REVERT)

    def __enter__(self) -> Fault:
        self.inject()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.revert()
