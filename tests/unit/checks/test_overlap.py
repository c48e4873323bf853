from __future__ import annotations

import pytest
from histbuilder import Timeline

from hachaos.checks.overlap import _union_ns, primary_overlap


def test_clean_failover_has_no_overlap(tl: Timeline) -> None:
    tl.ops("." * 10, kind="write", value="pg-1").inject()
    tl.ops("." * 3, kind="write", value="pg-1").ops("xxxx", kind="write")
    tl.ops("." * 10, kind="write", value="pg-2")
    r = primary_overlap(tl.history)
    assert r.ok and r.overlaps == () and r.nodes == ("pg-1", "pg-2") and r.total_s == 0.0


def test_two_primaries_alternating(tl: Timeline) -> None:
    tl.ops("." * 10, kind="write", value="pg-1").inject()
    for _ in range(4):  # one client, acks alternate: both nodes accept writes
        tl.ops(".", kind="write", value="pg-1").ops(".", kind="write", value="pg-2")
    r = primary_overlap(tl.history)
    assert not r.ok and len(r.overlaps) == 1
    window = r.overlaps[0]
    assert window.nodes == ("pg-1", "pg-2")
    # pg-1 spans writes 0,2,4,6 (0..305 ms); pg-2 spans 1,3,5,7 (50..355 ms)
    assert window.duration_s == pytest.approx(0.255)
    assert r.total_s == pytest.approx(0.255) and r.max_overlap_s == pytest.approx(0.255)


def test_gap_zero_needs_concurrent_writes(tl: Timeline) -> None:
    tl.inject()
    for _ in range(4):
        tl.ops(".", kind="write", value="pg-1").ops(".", kind="write", value="pg-2")
    assert primary_overlap(tl.history, max_gap_s=0).ok
    tl.op(".", kind="write", value="pg-1", dur_ms=200).wait_ms(-40)
    tl.op(".", kind="write", value="pg-2", dur_ms=20)
    r = primary_overlap(tl.history, max_gap_s=0)
    assert not r.ok and r.overlaps[0].duration_s == pytest.approx(0.02)


def test_late_failback_is_not_overlap(tl: Timeline) -> None:
    tl.inject().ops("." * 5, kind="write", value="pg-1").ops("." * 30, kind="write", value="pg-2")
    tl.ops("." * 5, kind="write", value="pg-1")
    assert primary_overlap(tl.history).ok


def test_writes_before_fault_ignored_and_fails_ignored(tl: Timeline) -> None:
    for node in ("pg-1", "pg-2", "pg-1"):
        tl.ops(".", kind="write", value=node)
    tl.inject()
    tl.ops("x", kind="write", value="pg-1").ops(".", kind="write", value="pg-2")
    assert primary_overlap(tl.history).ok
    assert not primary_overlap(tl.history, since_ns=0).ok


def test_union() -> None:
    assert _union_ns([(0, 10), (5, 20), (30, 40), (32, 35)]) == 30
    assert _union_ns([]) == 0
