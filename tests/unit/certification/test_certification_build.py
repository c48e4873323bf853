"""Building a certification record: worst run, distributions, JSON round trip."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from certfakes import record, result, runs

from hachaos.certification.build import scenario_record, worst
from hachaos.certification.load import load_certification
from hachaos.verdict import Measurement, VerdictOutcome


def test_one_bad_run_decides_the_verdict_of_repeats() -> None:
    rs = runs("s", [2.0, 2.0, 2.0])
    rs[1] = rs[1].model_copy(update={"outcome": VerdictOutcome.FAIL, "reason": "lost-writes"})
    rec = scenario_record("s", "redis-sentinel", rs)
    assert rec.outcome is VerdictOutcome.FAIL
    assert rec.reason == "lost-writes"
    assert rec.worst_run == rs[1].run_id
    assert rec.detail.startswith("worst of 3 runs:")


def test_inconclusive_is_worse_than_pass_and_better_than_fail() -> None:
    rs = runs("s", [1.0, 1.0])
    rs[0] = rs[0].model_copy(update={"outcome": VerdictOutcome.INCONCLUSIVE})
    assert worst(rs).outcome is VerdictOutcome.INCONCLUSIVE


def test_distribution_is_min_median_max_over_runs() -> None:
    rec = scenario_record("s", "redis-sentinel", runs("s", [3.0, 1.0, 2.0, 10.0]))
    d = rec.distribution["recovery_time_s"]
    assert (d.n, d.min, d.median, d.max) == (4, 1.0, 2.5, 10.0)
    assert d.spread == 9.0
    assert d.budget == 10.0
    assert d.unit == "s"


def test_unmeasured_values_are_left_out_of_the_distribution() -> None:
    rec = scenario_record("s", "redis-sentinel", runs("s", [1.0], lost=None))
    assert "lost_writes" not in rec.distribution


def test_repeats_of_a_scenario_are_grouped_in_the_record() -> None:
    cert = record(
        result("a", run_id="hc-1"), result("b", run_id="hc-2"), result("a", run_id="hc-3")
    )
    assert list(cert.scenarios) == ["a", "b"]
    assert [r.run_id for r in cert.scenarios["a"].runs] == ["hc-1", "hc-3"]


def test_record_round_trips_through_json(tmp_path: Path) -> None:
    cert = record(result("a", recovery_s=2.5))
    path = tmp_path / "certification.json"
    path.write_text(cert.to_json())
    assert load_certification(path) == cert
    m = cert.scenarios["a"].runs[0].measurements[0]
    assert (m.name, m.value, m.unit, m.resolution, m.budget, m.ok) == (
        "recovery_time_s",
        2.5,
        "s",
        0.1,
        10.0,
        True,
    )


def test_repeat_lines_show_the_worst_verdict_and_distribution() -> None:
    from hachaos.report.console import repeat_lines

    worse = result("a", VerdictOutcome.FAIL, recovery_s=12.0, run_id="hc-2")
    lines = repeat_lines(record(result("a", recovery_s=2.0, run_id="hc-1"), worse, repeat=2))
    assert lines[0].startswith("FAIL") and "worst of 2 runs [recovery-too-slow]" in lines[0]
    assert "recovery_time_s median 7s [2..12], budget ≤ 10s" in lines[1]
    assert not any("error_rate" in line for line in lines)  # unbudgeted values stay in the record


def test_a_non_finite_measurement_leaves_the_record_loadable(tmp_path: Path) -> None:
    # JSON has no NaN: written as null, a distribution of NaN could not be read back
    base = result()
    nan = Measurement("p99_ms.after", float("nan"), None, "ms", None)
    judged = replace(base, verdict=replace(base.verdict, measurements=(nan,)))
    finite = replace(
        base, run_id="hc-2", verdict=replace(base.verdict, measurements=(replace(nan, value=3.0),))
    )
    path = tmp_path / "c.json"
    path.write_text(record(judged, finite).to_json())
    loaded = load_certification(path)
    dist = loaded.scenarios["redis-kill-master"].distribution["p99_ms.after"]
    assert (dist.n, dist.median) == (1, 3.0)
