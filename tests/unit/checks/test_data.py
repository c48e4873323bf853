from __future__ import annotations

import pytest
from histbuilder import Timeline

from hachaos.checks.data import check_set


def ledger(tl: Timeline, n: int = 5) -> Timeline:
    for i in range(n):
        tl.write(f"k{i}")
    return tl


def test_all_present_is_valid(tl: Timeline) -> None:
    r = check_set(ledger(tl).final_read("k0", "k1", "k2", "k3", "k4").history)
    assert r.valid is True and r.acknowledged == 5 and r.attempted == 5 and not r.lost


def test_lost_writes(tl: Timeline) -> None:
    r = check_set(ledger(tl).final_read("k0", "k2", "k4").history)
    assert r.valid is False and r.lost == ("k1", "k3") and "2 lost" in r.reason


def test_duplicate_in_final_read(tl: Timeline) -> None:
    r = check_set(ledger(tl, 2).final_read("k0", "k1", "k1").history)
    assert r.valid is False and r.duplicated == ("k1",) and not r.lost


def test_unexpected_key(tl: Timeline) -> None:
    r = check_set(ledger(tl, 2).final_read("k0", "k1", "ghost").history)
    assert r.valid is False and r.unexpected == ("ghost",)


def test_indeterminate_writes_landed_or_not(tl: Timeline) -> None:
    ledger(tl, 2).write("u1", "?").write("u2", "?").write("f1", "x")
    r = check_set(tl.final_read("k0", "k1", "u1", "f1").history)
    assert r.valid is True
    assert r.recovered == ("u1",) and r.unknown_missing == ("u2",)
    assert r.failed_present == ("f1",) and not r.unexpected


def test_retried_key_counts_best_outcome(tl: Timeline) -> None:
    tl.write("k0", "?").write("k0", ".")
    r = check_set(tl.final_read().history)
    assert r.acknowledged == 1 and r.lost == ("k0",) and r.unknown_missing == ()


def test_too_few_acknowledged_is_unknown(tl: Timeline) -> None:
    r = check_set(ledger(tl, 3).final_read("k0", "k1", "k2").history, min_acknowledged=10)
    assert r.valid is None and "only 3 acknowledged" in r.reason


def test_no_acknowledged_at_all_is_unknown(tl: Timeline) -> None:
    assert check_set(tl.write("k0", "x").final_read().history).valid is None


def test_incomplete_final_read_is_unknown(tl: Timeline) -> None:
    r = check_set(ledger(tl).final_read("k0", complete=False).history)
    assert r.valid is None and r.reason == "no complete final read"
    assert check_set(ledger(Timeline()).history).reason == "no final read"


def test_uses_last_complete_read(tl: Timeline) -> None:
    ledger(tl, 2).final_read("k0").final_read("k0", "k1").final_read(complete=False)
    r = check_set(tl.history)
    assert r.valid is True and r.read_at_ns is not None


def test_process_prefix(tl: Timeline) -> None:
    tl.write("a1", process="ledger-a").write("b1", process="ledger-b")
    r = check_set(tl.final_read("a1", "b1").history, process_prefix="ledger-a")
    assert r.valid is True and r.acknowledged == 1 and not r.unexpected  # b1 was attempted
    r = check_set(tl.final_read("a1").history, process_prefix="ledger-a")
    assert r.valid is True  # b1's loss is not ledger-a's concern


def test_ack_rate_is_acknowledged_writes_per_second(tl: Timeline) -> None:
    ledger(tl, 4).write("f", "x")  # 5 writes 50 ms apart: 4 acked over 205 ms
    r = check_set(tl.final_read("k0", "k1", "k2", "k3").history)
    assert r.ack_rate == pytest.approx(4 / 0.205)
    assert check_set(Timeline().history).ack_rate is None
