"""What one conformance check found: pass, fail (what is wrong and how to fix it) or skip."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Status(StrEnum):
    """A check's result."""

    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Outcome:
    """The observation behind a check's status and, when it failed, the fix."""

    status: Status
    observed: str
    fix: str = ""

    @classmethod
    def passed(cls, observed: str) -> Outcome:
        """The requirement holds; `observed` says what was seen."""
        return cls(Status.PASS, observed)

    @classmethod
    def failed(cls, observed: str, fix: str) -> Outcome:
        """The requirement does not hold: what is wrong and how to fix it."""
        return cls(Status.FAIL, observed, fix)

    @classmethod
    def skipped(cls, reason: str) -> Outcome:
        """The check does not apply (yet), with the reason."""
        return cls(Status.SKIP, reason)

    @property
    def ok(self) -> bool:
        """True unless the check failed."""
        return self.status is not Status.FAIL

    @property
    def message(self) -> str:
        """`observed`, then `how to fix: ...` when there is a fix."""
        return f"{self.observed}\nhow to fix: {self.fix}" if self.fix else self.observed


def worst(outcomes: list[Outcome]) -> Outcome:
    """One outcome for several: every failure (with its fix), else the passes."""
    failed = [o for o in outcomes if o.status is Status.FAIL]
    if failed:
        fixes = list(dict.fromkeys(o.fix for o in failed if o.fix))
        return Outcome.failed("; ".join(o.observed for o in failed), "; ".join(fixes))
    if outcomes and all(o.status is Status.SKIP for o in outcomes):
        return Outcome.skipped("; ".join(o.observed for o in outcomes))
    return Outcome.passed("; ".join(o.observed for o in outcomes if o.status is Status.PASS))
