"""wait_until's pacing: a slow observation is followed by a wait at least as long."""

from __future__ import annotations

import pytest

from hachaos.clock import FakeClock, wait_until
from hachaos.errors import DeadlineExceeded


def polls(took_s: list[float], pace: float) -> list[float]:
    """Start times of each observation, for observations taking `took_s` in turn."""
    clock = FakeClock()
    starts: list[float] = []

    def observe() -> int:
        starts.append(clock.now_ns() / 1e9)
        clock.wait(took_s[len(starts) - 1])
        return len(starts)

    wait_until(
        observe,
        lambda n: n == len(took_s),
        what="x",
        timeout_s=60,
        interval_s=0.05,
        pace=pace,
        clock=clock,
    )
    return starts


def test_without_pace_the_interval_follows_each_observation() -> None:
    assert polls([0.5, 0.5, 0.0], pace=0.0) == pytest.approx([0.0, 0.55, 1.1])


def test_a_slow_observation_is_followed_by_a_wait_pace_times_as_long() -> None:
    assert polls([0.5, 0.01, 0.0], pace=1.0) == pytest.approx([0.0, 1.0, 1.06])
    assert polls([0.5, 0.0], pace=2.0) == pytest.approx([0.0, 1.5])


def test_the_paced_wait_never_passes_the_deadline() -> None:
    clock = FakeClock()

    def observe() -> str:
        clock.wait(0.8)
        return "not yet"

    with pytest.raises(DeadlineExceeded):
        wait_until(observe, lambda _: False, what="x", timeout_s=1.0, pace=5.0, clock=clock)
    assert clock.now_ns() / 1e9 == pytest.approx(1.8)  # 0.8 + the 0.2 left, + one last 0.8
