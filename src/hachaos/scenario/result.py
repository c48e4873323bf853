"""What one scenario run produced: the verdict, its numbers and the recorded history."""

from __future__ import annotations

from dataclasses import dataclass

from hachaos.checks.recovery import Recovery
from hachaos.checks.steady import SteadyState
from hachaos.history import History
from hachaos.topology.base import ClaimReport, HealReport
from hachaos.verdict import Verdict


@dataclass(frozen=True)
class ScenarioResult:
    """A scenario's outcome with everything needed to explain it."""

    scenario: str
    stack: str
    run_id: str
    seed: int
    targets: tuple[str, ...]
    probe_interval_s: float
    steady: SteadyState
    recovery: Recovery | None
    verdict: Verdict
    history: History
    heal: HealReport | None = None  # how the stack re-formed after the fault, with any repairs
    claims: tuple[ClaimReport, ...] = ()  # the stack's claims as checked at steady state
    notes: tuple[str, ...] = ()  # what the stack says about this run's parameter values

    def line(self) -> str:
        """One line for a terminal: scenario, verdict and numbers."""
        return f"{self.scenario}: {self.verdict.summary()}"


@dataclass(frozen=True)
class ResultReady:
    """Event: a scenario run was judged; reporters draw its verdict table and timeline."""

    result: ScenarioResult
