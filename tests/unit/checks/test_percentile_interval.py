"""The p99's confidence interval: order statistics around rank n·q, and how often it holds."""

from __future__ import annotations

import math
import random

from histbuilder import Timeline

from hachaos.checks.latency import percentile_interval, windows
from hachaos.checks.steady import SteadyState
from hachaos.verdict import Budget, judge


def test_a_p99_of_20_values_lies_between_the_18th_and_the_largest() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile_interval(values, 99) == (18.0, 20.0)


def test_many_values_narrow_the_interval_to_ranks_around_n_q() -> None:
    values = [float(v) for v in range(1, 1001)]
    assert percentile_interval(values, 99) == (983.0, 998.0)
    assert percentile_interval(values, 50) == (469.0, 532.0)


def test_no_values_no_interval() -> None:
    assert percentile_interval([], 99) is None


def test_the_interval_holds_the_true_p99_about_95_times_in_100() -> None:
    rng = random.Random(7)
    true_p99 = math.log(100)  # exponential(1)
    trials = 400
    held = 0
    for _ in range(trials):
        low, high = percentile_interval([rng.expovariate(1.0) for _ in range(500)], 99) or (0, 0)
        held += low <= true_p99 <= high
    assert 0.92 <= held / trials <= 0.99


def test_the_p99_measurement_carries_half_the_interval_as_its_resolution(tl: Timeline) -> None:
    tl.ops("." * 19, dur_ms=1).ops(".", dur_ms=41).inject().ops("." * 20).revert().ops("." * 20)
    stats = windows(tl.history).before
    assert stats.p99_interval_ms == (1.0, 41.0)  # 20 ops: from the 18th to the slowest
    steady = SteadyState(True, "", 20, 20)
    verdict = judge(Budget(), steady=steady, recovery=None, latency=windows(tl.history))
    p99 = next(m for m in verdict.measurements if m.name == "p99_ms.before")
    assert p99.resolution == 20.0
    assert p99.render() == "p99_ms.before=41ms (±20ms)"
