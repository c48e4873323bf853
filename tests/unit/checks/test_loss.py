from __future__ import annotations

import pytest
from histbuilder import MS, Timeline

from hachaos.checks.loss import loss_window


def test_window_reaches_back_from_the_first_failure(tl: Timeline) -> None:
    tl.write("k0").inject().write("k1").write("k2").op("x").write("k3")
    # k1 acked 5 ms after inject; first failure starts 100 ms after inject
    w = loss_window(tl.history, {"k1", "k2"})
    assert w.lost == 2 and w.reference == "first failure"
    assert w.window_s == pytest.approx(0.095)


def test_split_brain_ack_after_the_failover_widens_the_window(tl: Timeline) -> None:
    tl.inject().write("k1").op("x").wait_ms(1000).write("k2")
    w = loss_window(tl.history, {"k1", "k2"})
    assert w.window_s == pytest.approx((50 + 1000 + 50) * MS / 1e9)


def test_unnoticed_fault_measures_from_the_inject(tl: Timeline) -> None:
    tl.write("k1").wait_ms(100).inject().write("k2")
    w = loss_window(tl.history, {"k1"})
    assert w.reference == "inject" and w.window_s == pytest.approx(0.145)


def test_no_lost_write_is_a_zero_window(tl: Timeline) -> None:
    tl.inject().write("k1").op("x")
    w = loss_window(tl.history, set())
    assert w.window_s == 0.0 and w.lost == 0


def test_failed_writes_and_probe_reads_carry_no_ack(tl: Timeline) -> None:
    tl.write("k1", "x").write("k2", "?").op(".", key="k3")
    assert loss_window(tl.history, {"k1", "k2", "k3"}).lost == 0
