"""compare: which measurements are judged how (traffic, counted data, floors), on real names."""

from __future__ import annotations

import pytest
from certfakes import measured_runs, record_of

from hachaos.certification.compare import Change, Row, compare
from hachaos.certification.measures import Kind, floor, kind


def _row(base: dict[str, list[float]], cand: dict[str, list[float]], what: str) -> Row:
    comparison = compare(
        record_of({"s": measured_runs(base)}), record_of({"s": measured_runs(cand)})
    )
    return next(r for r in comparison.rows if r.what == what)


@pytest.mark.parametrize(
    "name", ["acknowledged", "builds_acknowledged", "ack_rate", "load.requests.during"]
)
def test_traffic_is_shown_not_judged(name: str) -> None:
    # more builds acknowledged in the same time is not a regression, nor fewer one
    row = _row({name: [313.0]}, {name: [900.0]}, name)
    assert row.change is Change.INFO
    assert kind(name) is Kind.INFORMATIONAL


@pytest.mark.parametrize(
    "name", ["lost_builds", "stuck_builds", "duplicated_builds", "unacknowledged_builds"]
)
def test_a_first_lost_or_doubled_build_is_a_regression_in_any_run(name: str) -> None:
    # the median stays 0: only the worst run lost one, and that is enough
    row = _row({name: [0.0, 0.0, 0.0]}, {name: [0.0, 0.0, 1.0]}, name)
    assert row.change is Change.WORSE
    assert row.tolerance == "0"


def test_counted_loss_a_scenario_accepts_is_judged_against_its_noise() -> None:
    # redis-sentinel-partition-master budgets a loss window: 656, 481, 703 writes lost in three
    # runs of one catalog; a night losing 700 is the same system
    base = {"lost_writes": [656.0, 481.0, 703.0]}
    assert _row(base, {"lost_writes": [700.0, 690.0, 720.0]}, "lost_writes").change is Change.SAME
    worse = _row(base, {"lost_writes": [1900.0, 2000.0, 2100.0]}, "lost_writes")
    assert worse.change is Change.WORSE


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("error_rate.during", 0.01),
        ("load.error_rate.during", 0.01),
        ("expect.roll.error_rate", 0.01),
        ("p99_ms.after", 1.0),
        ("load.p99_ms.during", 1.0),
        ("recovery_time_s", 0.0),
        ("pickup_p99_s", 0.0),
    ],
)
def test_floors_cover_the_probe_and_the_http_load(name: str, expected: float) -> None:
    assert floor(name) == expected


def test_a_load_error_rate_within_its_floor_is_not_a_regression() -> None:
    row = _row(
        {"load.error_rate.during": [0.0]},
        {"load.error_rate.during": [0.004]},
        "load.error_rate.during",
    )
    assert row.change is Change.SAME
    row = _row(
        {"load.error_rate.during": [0.0]},
        {"load.error_rate.during": [0.05]},
        "load.error_rate.during",
    )
    assert row.change is Change.WORSE


@pytest.mark.parametrize(
    "name", ["p99_ms.after", "load.p99_ms.during", "pickup_p99_s", "finish_p99_s", "finish_max_s"]
)
def test_p99s_and_maxima_are_tails(name: str) -> None:
    assert kind(name) is Kind.TAIL


def test_a_tail_against_one_baseline_run_is_shown_not_judged() -> None:
    # night 2 vs night 1 of redis-sentinel-kill-master: the `after` window's 20 ops, its p99 is
    # the slowest of them, 1.96 ms one night and 4.36 ms the next
    row = _row({"p99_ms.after": [1.957]}, {"p99_ms.after": [4.358]}, "p99_ms.after")
    assert row.change is Change.INFO
    assert row.tolerance == "<3 runs"


def test_a_tail_against_three_baseline_runs_is_judged_by_their_spread() -> None:
    base = {"p99_ms.after": [1.9, 2.0, 4.4]}
    assert _row(base, {"p99_ms.after": [4.358]}, "p99_ms.after").change is Change.SAME
    worse = _row(base, {"p99_ms.after": [9.0, 9.5, 10.0]}, "p99_ms.after")
    assert worse.change is Change.WORSE
