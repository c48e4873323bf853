"""compare: the regression rule on synthetic records, and the command's table and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
from certfakes import record_of, runs

from hachaos.certification.compare import Change, Row, compare
from hachaos.certification.record import Certification, MeasuredValue
from hachaos.cli import main
from hachaos.verdict import VerdictOutcome


def _row(rows: tuple[Row, ...], what: str, scenario: str = "s") -> Row:
    return next(r for r in rows if r.what == what and r.scenario == scenario)


def test_same_runs_no_regression() -> None:
    base = record_of({"s": runs("s", [2.0, 2.2, 2.1])})
    comparison = compare(base, base)
    assert comparison.regressions == ()
    assert _row(comparison.rows, "recovery_time_s").change is Change.SAME


def test_worse_verdict_is_a_regression() -> None:
    base = record_of({"s": runs("s", [2.0])})
    bad = runs("s", [2.0])
    bad[0] = bad[0].model_copy(update={"outcome": VerdictOutcome.INCONCLUSIVE})
    row = _row(compare(base, record_of({"s": bad})).rows, "verdict")
    assert row.change is Change.WORSE
    assert row.candidate.startswith("inconclusive")


def test_better_verdict_is_not_a_regression() -> None:
    bad = runs("s", [2.0])
    bad[0] = bad[0].model_copy(update={"outcome": VerdictOutcome.FAIL})
    comparison = compare(record_of({"s": bad}), record_of({"s": runs("s", [2.0])}))
    assert _row(comparison.rows, "verdict").change is Change.BETTER


def test_new_lost_writes_are_a_regression_without_tolerance() -> None:
    base = record_of({"s": runs("s", [2.0], lost=0)})
    cand = record_of({"s": runs("s", [2.0], lost=1)})
    assert _row(compare(base, cand).rows, "lost_writes").change is Change.WORSE


def test_recovery_beyond_noise_is_a_regression() -> None:
    base = record_of({"s": runs("s", [2.0, 2.1, 2.2])})
    cand = record_of({"s": runs("s", [5.0, 5.1, 5.2])})
    row = _row(compare(base, cand).rows, "recovery_time_s")
    assert row.change is Change.WORSE
    assert row.delta == "3s"


def test_a_difference_within_the_repeats_spread_is_noise() -> None:
    # baseline spread 1.0 s: a median 0.8 s worse is within what the repeats already showed
    base = record_of({"s": runs("s", [2.0, 2.5, 3.0], resolution_s=0.0)})
    cand = record_of({"s": runs("s", [3.2, 3.3, 3.4], resolution_s=0.0)})
    row = _row(compare(base, cand).rows, "recovery_time_s")
    assert row.change is Change.SAME
    assert row.tolerance == "±1s"


def test_resolution_counts_as_noise_for_single_runs() -> None:
    base = record_of({"s": runs("s", [2.0], resolution_s=0.5)})
    cand = record_of({"s": runs("s", [2.9], resolution_s=0.5)})
    assert _row(compare(base, cand).rows, "recovery_time_s").change is Change.SAME
    cand = record_of({"s": runs("s", [3.1], resolution_s=0.5)})
    assert _row(compare(base, cand).rows, "recovery_time_s").change is Change.WORSE


def test_faster_recovery_is_better() -> None:
    base = record_of({"s": runs("s", [5.0])})
    cand = record_of({"s": runs("s", [2.0])})
    assert _row(compare(base, cand).rows, "recovery_time_s").change is Change.BETTER


def test_acknowledged_count_is_informational() -> None:
    base = record_of({"s": runs("s", [2.0])})
    assert _row(compare(base, base).rows, "acknowledged").change is Change.INFO


def test_scenarios_on_one_side_are_listed() -> None:
    base = record_of({"a": runs("a", [1.0]), "b": runs("b", [1.0])})
    cand = record_of({"a": runs("a", [1.0]), "c": runs("c", [1.0])})
    comparison = compare(base, cand)
    assert comparison.only_baseline == ("b",)
    assert comparison.only_candidate == ("c",)
    assert {r.scenario for r in comparison.rows} == {"a"}


def _write(tmp_path: Path, name: str, cert: Certification) -> Path:
    path = tmp_path / name
    path.write_text(cert.to_json())
    return path


def test_cli_exit_codes_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = _write(tmp_path, "base.json", record_of({"s": runs("s", [2.0, 2.1])}))
    same = _write(tmp_path, "same.json", record_of({"s": runs("s", [2.0, 2.1])}))
    worse = _write(tmp_path, "worse.json", record_of({"s": runs("s", [9.0, 9.1])}))
    assert main(["compare", str(base), str(same)]) == 0
    assert "no regression" in capsys.readouterr().out
    md = tmp_path / "summary.md"
    assert main(["compare", str(base), str(worse), "--markdown", str(md)]) == 1
    out = capsys.readouterr().out
    assert "REGRESSION" in out
    assert "rule:" in out
    assert "**REGRESSION**" in md.read_text()


def test_cli_missing_scenarios_exit_2_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.json", record_of({"a": runs("a", [1.0]), "b": runs("b", [1.0])}))
    cand = _write(tmp_path, "cand.json", record_of({"a": runs("a", [1.0])}))
    assert main(["compare", str(base), str(cand)]) == 2
    captured = capsys.readouterr()
    assert "only in baseline (not compared): b" in captured.out
    err = captured.err.strip().splitlines()
    assert len(err) == 1
    assert f"{cand}: missing b" in err[0]
    assert main(["compare", str(base), str(cand), "--allow-missing"]) == 0


def _one(name: str, values: list[float], unit: str = "") -> Certification:
    """A record of scenario "s" whose runs measured only `name`, one value per run."""
    recs = [
        r.model_copy(update={"measurements": [MeasuredValue(name=name, value=v, unit=unit)]})
        for r, v in zip(runs("s", [2.0] * len(values)), values, strict=True)
    ]
    return record_of({"s": recs})


@pytest.mark.parametrize(
    ("name", "base", "cand", "unit"),
    [
        ("load.error_rate.during", 0.0, 0.009, ""),
        ("load.p99_ms.during", 100.0, 100.9, "ms"),  # 10 % of 100 ms is more: floor unused
        ("load.p99_ms.after", 2.0, 2.9, "ms"),
        ("error_rate.during", 0.0, 0.009, ""),
        ("expect.write.error_rate", 0.0, 0.009, ""),
    ],
)
def test_the_noise_floor_applies_to_every_error_rate_and_p99(
    name: str, base: float, cand: float, unit: str
) -> None:
    # three runs a side: p99s are judged only against a baseline of three or more
    row = _row(compare(_one(name, [base] * 3, unit), _one(name, [cand] * 3, unit)).rows, name)
    assert row.change is Change.SAME


@pytest.mark.parametrize("name", ["lost_builds", "stuck_builds", "duplicated_builds"])
def test_counted_builds_regress_on_any_increase_of_the_worst_run(name: str) -> None:
    # one run of three lost a build: the medians agree, the spread would hide it
    row = _row(compare(_one(name, [0, 0, 0]), _one(name, [0, 1, 0])).rows, name)
    assert (row.change, row.tolerance) == (Change.WORSE, "0")


def test_markdown_that_cannot_be_written_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _write(tmp_path, "base.json", record_of({"s": runs("s", [2.0])}))
    assert main(["compare", str(base), str(base), "--markdown", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"hachaos compare: cannot write the summary {tmp_path}: Is a directory"]


def test_runs_missing_from_a_repeated_scenario_are_not_passed_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # run 3 of 3 errored (infrastructure): the record holds two runs, both lucky
    full = record_of({"s": runs("s", [2.0, 2.1, 2.2])}).model_copy(update={"repeat": 3})
    short = record_of({"s": runs("s", [2.0, 2.1])}).model_copy(update={"repeat": 3})
    base, cand = _write(tmp_path, "base.json", full), _write(tmp_path, "cand.json", short)
    assert compare(full, short).incomplete == ("s",)
    assert main(["compare", str(base), str(cand)]) == 2
    captured = capsys.readouterr()
    assert "incomplete in candidate (2 of 3 runs): s" in captured.out
    assert captured.err.strip().splitlines() == [
        f"hachaos compare: scenarios not on both sides: {cand}: s has 2 of 3 runs"
    ]
    assert main(["compare", str(base), str(cand), "--allow-missing"]) == 0


def test_a_slower_sentinel_failover_stays_a_regression() -> None:
    # down-after-milliseconds 1000 -> 4000, three real runs each (this branch): recovery
    # 2.32/2.39/2.39 s -> 5.33/5.38/5.29 s; also with a candidate spread made wide on purpose
    base = record_of({"s": runs("s", [2.3152, 2.3937, 2.3877], resolution_s=0.08)})
    for slow in ([5.3314, 5.3830, 5.2935], [4.5, 5.33, 6.2]):
        cand = record_of({"s": runs("s", slow, resolution_s=0.07)})
        row = _row(compare(base, cand).rows, "recovery_time_s")
        assert row.change is Change.WORSE, row
    single = compare(
        record_of({"s": runs("s", [2.31], resolution_s=0.06)}),
        record_of({"s": runs("s", [5.33], resolution_s=0.06)}),
    )
    assert _row(single.rows, "recovery_time_s").change is Change.WORSE


def test_a_baseline_of_two_equal_nights_allows_a_timer_driven_failovers_spread() -> None:
    # nightly pool of two nights of postgres-kill-primary (9.197 s, 9.199 s) against a third
    # night's 10.51 s: within the 25 % a baseline under 3 runs allows; 12 s is beyond it
    base = record_of({"s": runs("s", [9.197, 9.199], resolution_s=0.09)})
    night3 = record_of({"s": runs("s", [10.51], resolution_s=0.09)})
    assert _row(compare(base, night3).rows, "recovery_time_s").change is Change.SAME
    slower = record_of({"s": runs("s", [12.0], resolution_s=0.09)})
    assert _row(compare(base, slower).rows, "recovery_time_s").change is Change.WORSE
    # with three runs the baseline's own spread and 10 % apply: 10.51 s is a regression
    three = record_of({"s": runs("s", [9.197, 9.198, 9.199], resolution_s=0.09)})
    assert _row(compare(three, night3).rows, "recovery_time_s").change is Change.WORSE
