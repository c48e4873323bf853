"""Where a scenario with steps starts its clocks: pure functions of the recorded step events.

* The *first action* is the start of the first inject or run step that ran (else of the first
  step that ran): the before-fault window (errors with no fault, latency "before") ends there.
* The *recovery origin* is the start of the `from_step` step when it ran, else of the first
  inject step that ran, else the first action: recovery time is measured from there.

A history without step events (the `fault:` short form) has neither: checkers then use the
first INJECT event, as they always did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hachaos.history import History, StepEvent, StepOutcome

ACTION_KINDS = ("inject", "run")


@dataclass(frozen=True)
class Origins:
    """The first action and the recovery origin (ns), None when no step ran."""

    first_action_ns: int | None = None
    recovery_ns: int | None = None


def origins(history: History, from_step: str | None = None) -> Origins:
    """The origins of `history`'s schedule; see the module docstring."""
    ran = [e for e in history.steps if e.outcome is not StepOutcome.SKIPPED]
    if not ran:
        return Origins()
    first_action = _first(ran, lambda e: e.kind in ACTION_KINDS) or ran[0]
    named = _first(ran, lambda e: from_step is not None and e.name == from_step)
    inject = _first(ran, lambda e: e.kind == "inject")
    recovery = named or inject or first_action
    return Origins(first_action.start_ns, recovery.start_ns)


def _first(events: list[StepEvent], wanted: Callable[[StepEvent], bool]) -> StepEvent | None:
    return next((e for e in events if wanted(e)), None)
