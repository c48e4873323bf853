"""How long each named wait of a scenario's schedule took: a measured duration next to the
wait's own deadline (e.g. how long a replica took to catch up after its link healed)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from hachaos.checks._ops import to_s
from hachaos.history import History, StepOutcome


@dataclass(frozen=True)
class StepTime:
    """One named wait that ran: its duration and its deadline (s)."""

    name: str
    elapsed_s: float
    deadline_s: float

    @property
    def within(self) -> bool:
        """True when the condition held before the deadline."""
        return self.elapsed_s <= self.deadline_s


def wait_times(history: History, deadlines: Iterable[tuple[int, str, float]]) -> list[StepTime]:
    """For each (step index, name, deadline) of a named wait, the time it took, from its
    recorded event; waits that never ran (skipped, or not recorded) are left out."""
    out = []
    for index, name, deadline_s in deadlines:
        event = history.step(index)
        if event is None or event.outcome is StepOutcome.SKIPPED:
            continue
        out.append(StepTime(name, to_s(event.end_ns - event.start_ns), deadline_s))
    return out
