"""The build ledger's checker: lost, stuck, duplicated and unacknowledged-but-ran builds, and
pickup / finish times, from a synthetic history and synthetic platform records."""

from __future__ import annotations

import pytest
from histbuilder import Timeline

from hachaos.checks.builds import BuildRecord, Spread, check_builds, unreadable
from hachaos.history import History, Op, Outcome
from hachaos.workloads.builds import like_prefix, records_from_rows


def history(**outcomes: str) -> History:
    """One probe write per keyword, its key the keyword's name, its outcome the symbol given."""
    line = Timeline()
    for key, sym in outcomes.items():
        line.write(key, sym, process="probe")
    return line.history


def test_every_acknowledged_build_finished_once_is_valid() -> None:
    h = history(a=".", b=".")
    recs = [BuildRecord("a", 10.0, ((10.5, 11.0),)), BuildRecord("b", 20.0, ((20.2, 20.6),))]
    r = check_builds(h, recs)
    assert r.valid is True
    assert r.acknowledged == 2
    assert r.pickup == Spread(2, pytest.approx(0.2), 0.5, 0.5, (pytest.approx(0.2), 0.5))  # type: ignore[arg-type]
    assert r.pickup.p99_resolution == pytest.approx(0.15)  # 2 values: p99 anywhere in [0.2, 0.5]
    assert r.finish.max == 1.0


def test_lost_stuck_duplicated_and_unacknowledged_are_told_apart() -> None:
    h = history(lost=".", norow=".", stuck=".", dup=".", ran="?", refused="x", fine=".")
    recs = [
        BuildRecord("lost", 1.0),
        BuildRecord("stuck", 1.0, ((1.1, None),)),
        BuildRecord("dup", 1.0, ((1.1, 1.4), (1.5, 1.9))),
        BuildRecord("ran", 1.0, ((1.1, 1.4),)),
        BuildRecord("fine", 1.0, ((1.1, None), (2.0, 2.3))),  # redelivered after a dead worker
    ]
    r = check_builds(h, recs)
    assert r.lost == ("lost", "norow")
    assert r.stuck == ("stuck",)
    assert r.duplicated == ("dup",)
    assert r.unacknowledged_ran == ("ran",)
    assert r.abandoned == 2
    assert r.valid is False


def test_a_retried_request_acknowledged_later_counts_as_acknowledged() -> None:
    h = History()
    h.add_op(Op("probe", "write", 0, 1, Outcome.UNKNOWN, key="k"))
    h.add_op(Op("probe", "write", 2, 3, Outcome.OK, key="k"))
    h.add_op(Op("ledger", "write", 2, 3, Outcome.OK, key="other-process"))
    r = check_builds(h, [BuildRecord("k", 1.0, ((1.1, 1.2),))])
    assert r.acknowledged == 1
    assert r.unacknowledged_ran == ()


def test_unreadable_records_are_not_judgeable() -> None:
    r = unreadable(history(a="."), "connection refused")
    assert r.valid is None
    assert r.acknowledged == 1


def test_rows_become_records_with_sorted_executions() -> None:
    rows: list[tuple[object, ...]] = [
        ("a", 1.0, 2.5, None),
        ("a", 1.0, 1.5, 2.0),
        ("b", 3.0, None, None),
    ]
    recs = {r.request_id: r for r in records_from_rows(rows)}
    assert recs["a"].executions == ((1.5, 2.0), (2.5, None))
    assert recs["b"].executions == ()


def test_like_prefix_escapes_wildcards() -> None:
    assert like_prefix("hachaos:hc_1%") == "hachaos:hc\\_1\\%:%"
