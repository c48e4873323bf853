from __future__ import annotations

import pytest
from histbuilder import Timeline

from hachaos.checks.steady import steady_state
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
