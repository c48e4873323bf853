"""Per-session state, kept in a pytest StashKey rather than module globals."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from hachaos.backends import get_backend
from hachaos.backends.base import Backend
from hachaos.capabilities import Capability
from hachaos.certification.record import StackRecord
from hachaos.events import Message
from hachaos.reaper import sweep_leftovers
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.models import StackSpec


@dataclass
class SessionState:
    """What one pytest session of hachaos holds: options, the backend, results so far."""

    backend_name: str
    stack_dirs: tuple[Path, ...]
    seed: int | None
    inconclusive: str  # "fail" or "skip"
    history_dir: Path
    repeat: int = 1
    certification_path: Path | None = None
    stack_params: dict[str, str] = field(default_factory=dict)  # --hachaos-stack-param
    params_declared: set[str] = field(default_factory=set)  # by the collected scenarios' stacks
    results: list[ScenarioResult] = field(default_factory=list)
    stacks: dict[str, StackRecord] = field(default_factory=dict)
    live_run_ids: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    _backend: Backend | None = None

    @property
    def backend(self) -> Backend:
        """The backend, created on first use (so collection and unit tests never need Docker);
        leftovers of earlier runs whose runner died are swept then, and reported."""
        if self._backend is None:
            backend = get_backend(self.backend_name)
            report = sweep_leftovers(backend, exclude=tuple(self.live_run_ids))
            self._backend = backend
            if report.warning():
                self.warnings.append(report.warning())
                print(report.warning(), file=sys.stderr)
        return self._backend

    def capabilities(self, stack: StackSpec) -> frozenset[Capability]:
        """What the session's backend can do to `stack` (asked before boot; connects to
        nothing)."""
        return (self._backend or get_backend(self.backend_name)).capabilities(stack)

    def engine_version(self) -> str | None:
        """The engine's version, if this session ever talked to one (never connects itself)."""
        try:
            return self._backend.engine_version() if self._backend is not None else None
        except Exception:  # a fact for the record, not a condition of the run
            return None


def collect_messages(state: SessionState, scenario: str) -> Callable[[object], None]:
    """A bus subscriber keeping a scenario's warning and error messages for the summary."""

    def take(event: object) -> None:
        if isinstance(event, Message) and event.level != "info":
            state.warnings.append(f"hachaos: {scenario}: {event.level}: {event.text}")

    return take


STATE = pytest.StashKey[SessionState]()


def state_of(config: pytest.Config) -> SessionState:
    """The session state stored on `config`."""
    return config.stash[STATE]
