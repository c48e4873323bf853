"""One exception root for hachaos.

Infrastructure errors (Docker down, image missing, port in use, a stack that never gets
healthy) are kept apart from configuration errors and from verdicts about the system under
test: a verdict is a result object, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass


class HachaosError(Exception):
    """Root of every error hachaos raises on purpose; its message is one line with a hint."""


@dataclass(frozen=True)
class Problem:
    """One validation problem at a place in an input file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ConfigError(HachaosError):
    """A stack or scenario file is invalid; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InfraError(HachaosError):
    """The infrastructure hachaos drives is not usable (engine, images, ports, readiness)."""


class DockerUnavailable(InfraError):
    """No Docker engine answers."""


class ImageMissing(InfraError):
    """An image a stack needs has not been built."""


class PortInUse(InfraError):
    """A port the stack wants to publish is taken on the host."""


class StackNotReady(InfraError):
    """A stack's readiness checks did not pass before the deadline."""

    def __init__(self, message: str, logs: dict[str, str] | None = None) -> None:
        self.logs = dict(logs or {})
        super().__init__(message)


class FaultError(HachaosError):
    """A fault could not be injected or, worse, could not be reverted."""


class DeadlineExceeded(HachaosError):
    """A wait ran past its deadline; the message carries the last observation."""

    def __init__(self, what: str, timeout_s: float, last: object) -> None:
        self.what = what
        self.timeout_s = timeout_s
        self.last = last
        super().__init__(f"{what}: not reached within {timeout_s:g}s (last seen: {last})")
