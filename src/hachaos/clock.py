"""Clocks and deadlines: one polling loop for every wait, with an injectable clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from hachaos.errors import DeadlineExceeded

T = TypeVar("T")


class Clock(Protocol):
    """A monotonic clock that can also wait; tests inject a fake one."""

    def now_ns(self) -> int:
        """Monotonic time in nanoseconds."""
        ...

    def wait(self, seconds: float) -> None:
        """Block for up to `seconds` (may return early when cancelled)."""
        ...


@dataclass
class MonotonicClock:
    """The real clock; `wait` returns early once `cancel` is set."""

    cancel: threading.Event = field(default_factory=threading.Event)

    def now_ns(self) -> int:
        """Monotonic time in nanoseconds."""
        return time.monotonic_ns()

    def wait(self, seconds: float) -> None:
        """Block for up to `seconds`, or until cancelled."""
        if seconds > 0:
            self.cancel.wait(seconds)


@dataclass
class FakeClock:
    """A clock that only moves when waited on: deterministic timing in unit tests."""

    t_ns: int = 0

    def now_ns(self) -> int:
        """Current fake time."""
        return self.t_ns

    def wait(self, seconds: float) -> None:
        """Advance fake time by `seconds`."""
        self.t_ns += int(seconds * 1e9)


REAL_CLOCK = MonotonicClock()


def wait_until(
    observe: Callable[[], T],
    done: Callable[[T], bool],
    *,
    what: str,
    timeout_s: float,
    interval_s: float = 0.1,
    pace: float = 0.0,
    clock: Clock = REAL_CLOCK,
) -> T:
    """Poll `observe` until `done(observation)` holds; raise DeadlineExceeded with the last one.

    An exception raised by `observe` counts as an observation (its text is reported), so a
    service that still refuses connections is simply "not yet". With `pace` > 0 the wait after
    an observation is at least `pace` times as long as the observation took: a costly check
    (a process started in a container) then never keeps the machine busier than
    1 / (1 + pace) of the time, however slow a loaded host makes it.
    """
    deadline = clock.now_ns() + int(timeout_s * 1e9)
    last: object = "nothing observed"
    while True:
        began = clock.now_ns()
        try:
            value = observe()
        except Exception as exc:
            last = f"{type(exc).__name__}: {exc}"
        else:
            if done(value):
                return value
            last = value
        now = clock.now_ns()
        remaining = (deadline - now) / 1e9
        if remaining <= 0:
            raise DeadlineExceeded(what, timeout_s, last)
        took = (now - began) / 1e9
        clock.wait(min(max(interval_s, pace * took), remaining))
