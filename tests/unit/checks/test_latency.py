from __future__ import annotations

import pytest
from histbuilder import Timeline

from hachaos.checks.latency import Phase, percentile, windows
from hachaos.history import History, StepEvent, StepOutcome


def test_percentile_nearest_rank() -> None:
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([], 50) is None
    assert percentile([3, 1, 2], 50) == 2
    with pytest.raises(ValueError, match="got 0"):
        percentile([1], 0)


def test_windows_split_by_revert(tl: Timeline) -> None:
    tl.ops("." * 20, dur_ms=5).inject().ops("xxx?" + "." * 6, dur_ms=40).revert()
    tl.ops("." * 10, dur_ms=10)
    w = windows(tl.history)
    assert w.boundary == "revert"
    assert (w.before.count, w.during.count, w.after.count) == (20, 10, 10)
    assert w.before.error_rate == 0.0 and w.before.p99_ms == pytest.approx(5.0)
    assert (w.during.fail, w.during.unknown, w.during.ok) == (3, 1, 6)
    assert w.during.error_rate == pytest.approx(0.4)
    assert w.during.p50_ms == pytest.approx(40.0)
    assert w.after.p95_ms == pytest.approx(10.0) and w.get("after") is w.after


def test_p99_picks_the_slow_tail(tl: Timeline) -> None:
    tl.ops("." * 5).inject()
    tl.ops("." * 98, dur_ms=10).ops(".", dur_ms=300).ops(".", dur_ms=900).revert()
    during = windows(tl.history).during
    assert during.p50_ms == pytest.approx(10.0)
    assert during.p95_ms == pytest.approx(10.0)
    assert during.p99_ms == pytest.approx(300.0)


def test_boundary_is_recovery_point_without_revert(tl: Timeline) -> None:
    tl.ops("." * 10).inject().ops("xxxxx" + "." * 15)
    w = windows(tl.history)
    assert w.boundary == "recovery"
    assert (w.during.count, w.during.error_rate) == (5, 1.0)
    assert (w.after.count, w.after.error_rate) == (15, 0.0)


def test_never_recovered_everything_is_during(tl: Timeline) -> None:
    tl.ops("." * 10).inject().ops("x" * 10)
    w = windows(tl.history)
    assert w.boundary == "end" and w.during.count == 10 and w.after.count == 0
    assert w.during.p99_ms is None and w.after.error_rate is None


def test_no_inject_everything_before(tl: Timeline) -> None:
    w = windows(tl.ops("." * 10).history)
    assert w.boundary == "none" and w.before.count == 10 and w.during.count == 0


def test_empty_history() -> None:
    w = windows(History())
    assert all(p.count == 0 and p.error_rate is None for p in w.phases())
    assert [p.phase for p in w.phases()] == [Phase.BEFORE, Phase.DURING, Phase.AFTER]


def test_a_runbook_without_faults_is_during_until_its_last_step(tl: Timeline) -> None:
    """A rolling upgrade injects nothing: its whole schedule is the during window, not an
    instant recovery that files it under after."""
    tl.ops("." * 10)
    start = tl.t
    tl.ops("." * 30, dur_ms=20)
    tl.history.add_step(StepEvent(0, None, "run", start, tl.t, StepOutcome.OK))
    end = tl.t
    tl.ops("." * 5)
    w = windows(tl.history, origin_ns=start)
    assert (w.boundary, w.boundary_ns) == ("schedule-end", end)
    assert (w.before.count, w.during.count, w.after.count) == (10, 30, 5)
