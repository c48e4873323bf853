"""What plots and certification add to a run, measured on recorded histories (no Docker).

For each history: the timeline PNG, the verdict table, the metrics samples and the
certification record built and written, timed against the history's own span (a lower bound
of the scenario's wall time, which also boots and tears down a stack) and, with --junit, against
the run's real wall time (its JUnit testcase time: setup, call and teardown, found by the
`run_id` property). With --allure and --results, also times `allure generate` on a results
folder and prints the artifacts' sizes.

    python benchmarks/report_overhead.py reports/histories/*.jsonl --junit reports/junit.xml
    python benchmarks/report_overhead.py H.jsonl --allure .tox/allure3/node_modules/.bin/allure \
        --results reports/allure-results
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from hachaos.certification.build import certification
from hachaos.certification.host import host_facts
from hachaos.checks.latency import windows
from hachaos.checks.recovery import recovery_time
from hachaos.checks.steady import SteadyState
from hachaos.history import History
from hachaos.report.allure_html import generate
from hachaos.report.allure_metrics import metric_samples
from hachaos.report.timeline import timeline_png
from hachaos.report.verdict_table import verdict_html
from hachaos.scenario.result import ScenarioResult
from hachaos.verdict import Budget, judge


def _result(path: Path, history: History) -> ScenarioResult:
    rec = recovery_time(history, process="probe", sustain_ops=20)
    verdict = judge(
        Budget(recovery_time_s=10.0),
        steady=SteadyState(True, "", 20, 20),
        recovery=rec,
        latency=windows(history, process="probe"),
    )
    name, _, run_id = path.stem.rpartition("-hc-")
    steady = SteadyState(True, "", 20, 20)
    return ScenarioResult(name, "stack", f"hc-{run_id}", 1, (), 0.05, steady, rec, verdict, history)


def _span_s(history: History) -> float:
    ops = history.ops
    return (max(o.end_ns for o in ops) - ops[0].start_ns) / 1e9 if ops else 0.0


def _reporting_s(result: ScenarioResult, out: Path) -> float:
    started = time.perf_counter()
    png = timeline_png(result.history, result.scenario, result.recovery)
    (out / f"{result.run_id}.png").write_bytes(png)
    verdict_html(result)
    metric_samples(result, 0)
    record = certification(
        [result],
        version="bench",
        git_sha=None,
        host=host_facts(None),
        stacks={},
        seed=None,
        repeat=1,
    )
    (out / f"{result.run_id}.json").write_text(record.to_json())
    return time.perf_counter() - started


def _wall_times(junit: Path | None) -> dict[str, float]:
    """run id -> the testcase's wall time (s), from a JUnit file's `run_id` properties."""
    if junit is None:
        return {}
    walls: dict[str, float] = {}
    for case in ET.parse(junit).iter("testcase"):
        for prop in case.iter("property"):
            if prop.get("name") == "run_id":
                walls[str(prop.get("value"))] = float(case.get("time") or 0)
    return walls


def _share(took: float, span: float) -> float:
    return took / span if span else 0.0


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("histories", nargs="+", type=Path)
    parser.add_argument("--allure", help="Allure 3 binary, to time report generation")
    parser.add_argument("--results", type=Path, help="Allure results folder for --allure")
    parser.add_argument("--junit", type=Path, help="JUnit XML of the runs: real wall times")
    args = parser.parse_args()
    walls = _wall_times(args.junit)
    timeline_png(History(), "warm-up")  # matplotlib's import and font cache, paid once a session
    shares, wall_shares = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for path in args.histories:
            history = History.from_jsonl(path.read_text().splitlines())
            result = _result(path, history)
            took = _reporting_s(result, Path(tmp))
            span = _span_s(history)
            shares.append(_share(took, span))
            line = (
                f"{path.name}: {len(history.ops)} ops over {span:.1f}s; "
                f"plot+table+metrics+record {took * 1000:.0f} ms = {100 * shares[-1]:.2f}%"
            )
            if (wall := walls.get(result.run_id)) is not None:
                wall_shares.append(_share(took, wall))
                line += f" of the span, {100 * wall_shares[-1]:.2f}% of the run's {wall:.1f}s"
            print(line)
    print(
        f"median share of the history's span: {100 * statistics.median(shares):.2f}% "
        f"(max {100 * max(shares):.2f}%)"
    )
    if wall_shares:
        print(
            f"median share of the run's wall time: {100 * statistics.median(wall_shares):.2f}% "
            f"(max {100 * max(wall_shares):.2f}%, {len(wall_shares)} runs)"
        )
    if args.allure and args.results:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report"
            done = generate(args.allure, args.results, out, Path(tmp) / "h.jsonl", "bench")
            print(
                f"allure generate: {done.seconds:.2f}s; results {_size(args.results) / 1e6:.2f}"
                f" MB, report {_size(out) / 1e6:.2f} MB"
            )


if __name__ == "__main__":
    main()
