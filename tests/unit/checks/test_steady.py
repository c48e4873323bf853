from __future__ import annotations

import pytest
from histbuilder import Timeline

from hachaos.checks.steady import before_fault, steady_state
from hachaos.history import History


def test_steady_ok(tl: Timeline) -> None:
    tl.ops("x" + "." * 10)
    s = steady_state(tl.history, before_ns=tl.t)
    assert s.ok and s.ok_count == 10


def test_steady_fail_names_first_failure(tl: Timeline) -> None:
    tl.ops("." * 8 + "x.")
    s = steady_state(tl.history, before_ns=tl.t)
    assert not s.ok and s.ok_count == 9 and "1 of the last 10" in s.reason


def test_steady_needs_enough_samples(tl: Timeline) -> None:
    tl.ops("." * 3)
    s = steady_state(tl.history, before_ns=tl.t, samples=5)
    assert not s.ok and "only 3" in s.reason


def test_steady_ignores_ops_after_moment(tl: Timeline) -> None:
    tl.ops("." * 10)
    moment = tl.t
    tl.ops("xxxx")
    assert steady_state(tl.history, before_ns=moment).ok


def test_steady_empty_history() -> None:
    assert not steady_state(History(), before_ns=10**12).ok


def test_steady_bad_samples(tl: Timeline) -> None:
    with pytest.raises(ValueError, match="samples must be >= 1, got 0"):
        steady_state(tl.history, before_ns=0, samples=0)


def test_before_fault_judges_everything_after_the_first_ok(tl: Timeline) -> None:
    tl.ops("xx..")
    tl.op("x", kind="write")
    tl.ops("." * 20).inject().ops("xxx")
    b = before_fault(tl.history, process="probe")
    assert b is not None
    assert (b.ops, b.errors, b.warmup) == (23, 1, 2)
    assert b.first_error == "write fail"


def test_before_fault_clean_and_without_inject(tl: Timeline) -> None:
    tl.ops("x" + "." * 10)
    assert before_fault(tl.history) is None
    b = before_fault(tl.inject().history)
    assert b is not None and b.errors == 0 and b.warmup == 1 and b.first_error == ""
