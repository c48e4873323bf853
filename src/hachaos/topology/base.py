"""The role-resolver interface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from hachaos.node import Node
from hachaos.spec.models import Role


class RoleResolver(Protocol):
    """Answers "which nodes hold `role` right now"."""

    def holders(self, role: Role) -> list[Node]:
        """Running nodes currently holding `role` (may be empty)."""
        ...


@dataclass(frozen=True)
class HealReport:
    """Whether the system re-formed after a fault was reverted, how long it took, what had to
    be repaired on the way (e.g. an app restarted), and the last observation."""

    healed: bool
    elapsed_s: float
    detail: str
    repaired: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line, e.g. `healed after 3.2s` or `NOT healed after 90s: ...`."""
        head = "healed" if self.healed else "NOT healed"
        text = f"{head} after {self.elapsed_s:.1f}s"
        if self.repaired:
            text += f" (repaired: {', '.join(self.repaired)})"
        return text if self.healed else f"{text}: {self.detail}"


def combine_heals(reports: list[HealReport]) -> HealReport:
    """One report for several stacks healed one after the other (a composed stack's parts):
    healed when all are, the time they took together, every repair."""
    if len(reports) == 1:
        return reports[0]
    broken = [r.detail for r in reports if not r.healed]
    return HealReport(
        healed=not broken,
        elapsed_s=sum(r.elapsed_s for r in reports),
        detail="; ".join(broken) if broken else "; ".join(r.detail for r in reports),
        repaired=tuple(x for r in reports for x in r.repaired),
    )


@runtime_checkable
class Healable(Protocol):
    """A resolver that can tell (and, where the system needs a nudge, make) the stack whole
    again after a fault is reverted, within a deadline."""

    def await_healed(self, timeout_s: float) -> HealReport:
        """Wait until the stack has re-formed, or report why not at the deadline."""
        ...


@dataclass(frozen=True)
class ClaimReport:
    """One claim a stack makes about itself (e.g. `replication: sync`), checked against the
    running system: whether it holds and what was observed."""

    claim: str
    holds: bool
    observed: str

    def summary(self) -> str:
        """One line, e.g. `replication: sync holds (pg-2 is sync_standby)`."""
        verdict = "holds" if self.holds else "does NOT hold"
        return f"{self.claim} {verdict} ({self.observed})"


@runtime_checkable
class ClaimChecker(Protocol):
    """A resolver that can check the stack's declared claims on the running system at steady
    state, before any fault; a claim that does not hold fails the run (``claim-mismatch``)."""

    def check_claims(self, timeout_s: float) -> tuple[ClaimReport, ...]:
        """Every claim of the stack's topology, each checked within `timeout_s`."""
        ...
