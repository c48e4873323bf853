from __future__ import annotations

import pytest
from histbuilder import MS, Timeline

from hachaos.checks.recovery import RecoveryStatus, recovery_time
from hachaos.history import History


def test_clean_recovery(tl: Timeline) -> None:
    tl.ops("." * 20).inject().ops("x" * 10 + "." * 20)
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.RECOVERED and r.recovered
    # recovering op starts 10 steps (500 ms) after inject and lasts 5 ms
    assert r.recovery_s == pytest.approx(0.505)
    # true recovery lies between the last failure's start (450 ms) and 505 ms
    assert r.resolution_s == pytest.approx(0.055)
    assert len(r.windows) == 1 and r.windows[0].failed == 10
    assert r.windows[0].duration_s == pytest.approx(0.455)
    assert r.ops_after == 30
    assert r.inject_ns == 1_000 * MS + 20 * 50 * MS
    assert r.probe_interval_s == pytest.approx(0.05)


def test_no_impact(tl: Timeline) -> None:
    tl.ops("." * 20).inject().ops("." * 20)
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.NO_IMPACT and r.recovered
    assert r.recovery_s == 0.0 and r.windows == ()
    assert r.resolution_s == pytest.approx(0.05)  # the probe interval: shorter outages unseen


def test_never_recovered(tl: Timeline) -> None:
    tl.ops("." * 20).inject().ops("x" * 5 + "?" * 20)
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.NOT_RECOVERED and not r.recovered
    assert r.recovery_s is None and len(r.windows) == 1 and r.windows[0].failed == 25


def test_flapping_uses_last_sustained_recovery(tl: Timeline) -> None:
    tl.ops("." * 20).inject().ops("xxxx" + "." * 12 + "xx" + "." * 15)
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.RECOVERED
    assert len(r.windows) == 2
    assert r.recovery_s == pytest.approx((18 * 50 + 5) / 1000)
    assert "1 flap" in r.note


def test_short_ok_tail_is_unconfirmed(tl: Timeline) -> None:
    tl.ops("." * 20).inject().ops("xxxx" + "." * 3)
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.UNCONFIRMED and not r.recovered and r.recovery_s is None


def test_sustain_seconds(tl: Timeline) -> None:
    tl.ops("." * 5).inject().ops("xx" + "." * 5)
    assert recovery_time(tl.history, sustain_s=0.2).status is RecoveryStatus.RECOVERED
    assert recovery_time(tl.history, sustain_s=1.0).status is RecoveryStatus.UNCONFIRMED


def test_empty_history() -> None:
    r = recovery_time(History())
    assert r.status is RecoveryStatus.NO_INJECT and not r.recovered and r.ops_after == 0


def test_no_inject_event(tl: Timeline) -> None:
    r = recovery_time(tl.ops("x" * 20).history)
    assert r.status is RecoveryStatus.NO_INJECT and r.inject_ns is None
    assert "no fault inject" in r.note


def test_no_ops_after_inject(tl: Timeline) -> None:
    r = recovery_time(tl.ops("." * 10).inject().history)
    assert r.status is RecoveryStatus.NO_OPS and not r.recovered


def test_process_filter(tl: Timeline) -> None:
    tl.ops("." * 5, process="a").inject().ops("xx" + "." * 12, process="a")
    tl.ops("." * 14, process="b")
    assert recovery_time(tl.history, process="b").status is RecoveryStatus.NO_IMPACT
    assert recovery_time(tl.history, process="a").status is RecoveryStatus.RECOVERED


def test_straddling_failure_counts(tl: Timeline) -> None:
    tl.ops("." * 10).op("?", dur_ms=400).wait_ms(-25).inject().wait_ms(25).ops("." * 12)
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.RECOVERED and len(r.windows) == 1


def test_bad_arguments_named(tl: Timeline) -> None:
    with pytest.raises(ValueError, match="sustain_ops must be >= 0, got -1"):
        recovery_time(tl.history, sustain_ops=-1)
    with pytest.raises(ValueError, match="sustain_s must be > 0, got 0"):
        recovery_time(tl.history, sustain_s=0)


def test_lower_bound_when_still_failing_at_the_end(tl: Timeline) -> None:
    tl.ops("." * 10).inject().ops("x" * 20)  # last failure starts 19 steps (0.95 s) after inject
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.NOT_RECOVERED
    assert r.lower_bound_s == pytest.approx(0.95)


def test_lower_bound_of_an_unconfirmed_recovery(tl: Timeline) -> None:
    tl.ops("." * 10).inject().wait_ms(30_000).ops("xx...")
    r = recovery_time(tl.history)
    assert r.status is RecoveryStatus.UNCONFIRMED
    assert r.lower_bound_s == pytest.approx(30.05)


def test_no_lower_bound_once_recovered(tl: Timeline) -> None:
    tl.ops("." * 10).inject().ops("xx" + "." * 12)
    assert recovery_time(tl.history).lower_bound_s is None
