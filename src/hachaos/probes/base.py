"""The probe interface: one attempt of one client operation, classified."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hachaos.history import Outcome


@dataclass(frozen=True)
class Attempt:
    """What one probe attempt learnt; timing is added by the runner."""

    outcome: Outcome
    error: str | None = None
    key: str | None = None
    value: str | None = None


class Probe(Protocol):
    """A client operation run on a schedule; `attempt` must never raise."""

    process: str
    kind: str

    def attempt(self, seq: int) -> Attempt:
        """Perform operation number `seq` once, without retries."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class _Renamed:
    """A probe recorded under another process name."""

    def __init__(self, inner: Probe, process: str) -> None:
        self._inner = inner
        self.process = process
        self.kind = inner.kind

    def attempt(self, seq: int) -> Attempt:
        """The inner probe's attempt."""
        return self._inner.attempt(seq)

    def close(self) -> None:
        """Release the inner probe's connections."""
        self._inner.close()


def renamed(probe: Probe, process: str) -> Probe:
    """`probe`, its ops recorded as `process` (the named probes of a scenario)."""
    return _Renamed(probe, process)
