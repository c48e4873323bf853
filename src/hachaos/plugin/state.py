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
    bundle_dir: Path = Path("reports") / "bundles"
    stack_params: dict[str, str] = field(default_factory=dict)  # --hachaos-stack-param
    params_declared: set[str] = field(default_factory=set)  # by the collected scenarios' stacks
    results: list[ScenarioResult] = field(default_factory=list)
    stacks: dict[str, StackRecord] = field(default_factory=dict)
    live_run_ids: set[str] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)
    targets: tuple[str, ...] = ()  # hosts stacks the run names (--hachaos-target)
    _backends: dict[str, Backend] = field(default_factory=dict)

    @property
    def backend(self) -> Backend:
        """The session's default backend (see `backend_named`)."""
        return self.backend_named(self.backend_name)

    def backend_name_for(self, stack: StackSpec) -> str:
        """The backend `stack` runs on: its own `backend:`, else the session's."""
        return stack.backend or self.backend_name

    def backend_for(self, stack: StackSpec) -> Backend:
        """The backend `stack` runs on (see `backend_named`)."""
        return self.backend_named(self.backend_name_for(stack))

    def backend_named(self, name: str) -> Backend:
        """A backend, created on first use (so collection and unit tests never need Docker);
        leftovers of earlier runs whose runner died are swept then, and reported."""
        if name not in self._backends:
            backend = get_backend(name)
            report = sweep_leftovers(backend, exclude=tuple(self.live_run_ids))
            self._backends[name] = backend
            if report.warning():
                self.warnings.append(report.warning())
                print(report.warning(), file=sys.stderr)
        return self._backends[name]

    def capabilities(self, stack: StackSpec) -> frozenset[Capability]:
        """What `stack`'s backend can do to it (asked before boot; connects to nothing)."""
        name = self.backend_name_for(stack)
        return (self._backends.get(name) or get_backend(name)).capabilities(stack)

    def engine_version(self) -> str | None:
        """The default engine's version, if this session ever talked to one (never connects
        itself)."""
        backend = self._backends.get(self.backend_name)
        try:
            return backend.engine_version() if backend is not None else None
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
