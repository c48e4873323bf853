"""Pooling nights: each scenario's runs from every record, distributions over them all."""

from __future__ import annotations

import pytest
from certfakes import record_of, runs

from hachaos.certification.compare import Change, compare
from hachaos.certification.pool import pooled
from hachaos.certification.record import Certification
from hachaos.verdict import VerdictOutcome


def test_runs_of_every_night_form_one_distribution() -> None:
    nights = [record_of({"s": runs("s", [r])}) for r in (10.57, 8.71, 10.56)]
    d = pooled(nights).scenarios["s"].distribution["recovery_time_s"]
    assert (d.n, d.min, d.median, d.max) == (3, 8.71, 10.56, 10.57)


def test_a_scenario_of_older_nights_only_is_kept() -> None:
    old = record_of({"a": runs("a", [1.0]), "b": runs("b", [2.0])})
    new = record_of({"a": runs("a", [1.5])})
    pool = pooled([old, new])
    assert list(pool.scenarios) == ["a", "b"]
    assert pool.scenarios["a"].distribution["recovery_time_s"].n == 2


def test_a_failure_on_any_pooled_night_is_the_baseline_verdict() -> None:
    bad = runs("s", [2.0])
    bad[0] = bad[0].model_copy(update={"outcome": VerdictOutcome.FAIL})
    pool = pooled([record_of({"s": bad}), record_of({"s": runs("s", [2.0])})])
    assert pool.scenarios["s"].outcome is VerdictOutcome.FAIL


def _recovery(baseline: Certification, candidate: Certification) -> Change:
    rows = compare(baseline, candidate).rows
    return next(r for r in rows if r.what == "recovery_time_s").change


def test_the_nights_spread_absorbs_a_failover_landing_late_in_its_cycle() -> None:
    # three real nights of postgres-kill-primary, then a fourth at 10.13 s: against the nights
    # pooled it is their noise (their spread, 8.71-10.57 s), as it is against the last night
    # alone (a single-run baseline allows 25 %); 12.6 s is beyond the pooled spread
    nights = [record_of({"s": runs("s", [r], resolution_s=0.13)}) for r in (10.57, 10.56, 8.71)]
    tonight = record_of({"s": runs("s", [10.13], resolution_s=0.13)})
    assert _recovery(nights[-1], tonight) is Change.SAME
    assert _recovery(pooled(nights), tonight) is Change.SAME
    assert _recovery(pooled(nights), record_of({"s": runs("s", [12.6])})) is Change.WORSE
    slow = record_of({"s": runs("s", [25.0], resolution_s=0.13)})
    assert _recovery(pooled(nights), slow) is Change.WORSE


def test_nothing_to_pool_is_an_error() -> None:
    with pytest.raises(ValueError, match="no records"):
        pooled([])
