"""Events the core emits; reporters (Allure, console, JSON) subscribe. Core never imports them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class StepStarted:
    """A named phase of a scenario began (boot, steady state, inject, recover, verdict)."""

    name: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StepFinished:
    """A phase ended; `error` is set when it raised."""

    name: str
    error: str | None = None


@dataclass(frozen=True)
class Attachment:
    """A named blob a report should keep (history, logs, redacted stack)."""

    name: str
    body: bytes
    mime: str
    extension: str


@dataclass(frozen=True)
class Parameter:
    """A key/value a report should show next to the result (a budget, a measured value).

    `identity` marks a value that tells results apart (the repeat index): reports keep it in
    the result's identity instead of treating two results as retries of one another."""

    name: str
    value: str
    identity: bool = False


@dataclass(frozen=True)
class Message:
    """A line for humans (progress, warnings)."""

    text: str
    level: str = "info"


@dataclass(frozen=True)
class Progress:
    """A live progress line of a phase (boot, steady state, inject, recovering, heal, verdict)."""

    phase: str
    text: str


ProgressFn = Callable[[str], None]


def no_progress(_text: str) -> None:
    """A progress callback that reports nothing."""


Subscriber = Callable[[Any], None]


class EventBus:
    """Fan-out of events to subscribers; a failing subscriber never breaks the run."""

    def __init__(self) -> None:
        self._subs: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns a function that removes it."""
        with self._lock:
            self._subs.append(fn)
        return lambda: self._unsubscribe(fn)

    def _unsubscribe(self, fn: Subscriber) -> None:
        with self._lock:
            if fn in self._subs:
                self._subs.remove(fn)

    def emit(self, event: object) -> None:
        """Deliver `event` to every subscriber."""
        with self._lock:
            subs = list(self._subs)
        for fn in subs:
            with suppress(Exception):  # reporting must never break a run
                fn(event)

    def progress(self, phase: str) -> ProgressFn:
        """A callback emitting Progress lines of `phase` (for code that must not see the bus)."""
        return lambda text: self.emit(Progress(phase, text))

    @contextmanager
    def step(self, name: str, **params: str) -> Iterator[None]:
        """Emit StepStarted/StepFinished around a block."""
        self.emit(StepStarted(name, dict(params)))
        try:
            yield
        except BaseException as exc:
            self.emit(StepFinished(name, f"{type(exc).__name__}: {exc}"))
            raise
        self.emit(StepFinished(name))
