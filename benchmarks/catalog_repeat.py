"""Run the whole chaos catalog N times and print, per scenario, the outcome counts and the
recovery-time distribution, plus each run's wall time.

    flock /tmp/hachaos-stacks.lock python benchmarks/catalog_repeat.py --runs 3
    python benchmarks/catalog_repeat.py --runs 5 scenarios/rabbitmq -- -k pause

Each run is what `tox -e chaos` runs (`pytest scenarios suites -p no:cacheprovider -m chaos`)
in a subprocess, with its own JUnit XML and log under `--out`. Outcomes come from the JUnit
report, never from failure text:

* ERROR: an <error> element (boot or client setup, i.e. infrastructure, or a teardown that
  failed), or a scenario that raised before it reached a verdict;
* otherwise the scenario's `verdict` property: PASS, FAIL or INCONCLUSIVE;
* a plain test (a Python suite, no verdict property): PASS, FAIL (a <failure>) or SKIP.

The recovery time is the `recovery_time_s` property: a plain number of seconds (`2.31`, what
the plugin writes), or the number in a rendered measurement (`recovery_time_s=2.31s (±0.05s) ≤
10s`, older reports). Exit status 0 only when every outcome is PASS.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTCOMES = ("PASS", "FAIL", "INCONCLUSIVE", "ERROR", "SKIP")
VERDICTS = {"pass": "PASS", "fail": "FAIL", "inconclusive": "INCONCLUSIVE"}
_SECONDS = re.compile(r"=\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)s\b")


@dataclass(frozen=True)
class CaseResult:
    """One test case of one catalog run, as its JUnit report tells it."""

    name: str
    outcome: str
    recovery_s: float | None
    duration_s: float
    detail: str = ""


@dataclass(frozen=True)
class CatalogRun:
    """One pytest run of the catalog."""

    index: int
    wall_s: float
    exit_code: int
    cases: tuple[CaseResult, ...]
    summary: str


def _properties(case: ET.Element) -> dict[str, str]:
    return {
        p.get("name", ""): p.get("value", "")
        for p in case.iter("property")
        if p.get("name") is not None
    }


def seconds_of(rendered: str | None) -> float | None:
    """Seconds from a numeric property (`2.31`) or a rendered one (`recovery_time_s=2.31s ...`)."""
    try:
        value = float(rendered or "")
    except ValueError:
        pass
    else:
        return value if math.isfinite(value) else None
    match = _SECONDS.search(rendered or "")
    return float(match.group(1)) if match else None


def _is_scenario(case: ET.Element) -> bool:
    """A YAML scenario item (its file is a .yaml), as opposed to a Python test."""
    where = f"{case.get('file', '')} {case.get('classname', '')}"
    return ".yaml" in where or ".yml" in where


def classify(case: ET.Element) -> tuple[str, str]:
    """(outcome, one-line detail) of one <testcase>; see the module doc for the rules."""
    error = case.find("error")
    if error is not None:
        return "ERROR", _first_line(error)
    verdict = _properties(case).get("verdict")
    failure = case.find("failure")
    if verdict in VERDICTS:
        return VERDICTS[verdict], _first_line(failure)
    if failure is not None:  # a scenario without a verdict crashed during the run
        return ("ERROR" if _is_scenario(case) else "FAIL"), _first_line(failure)
    if case.find("skipped") is not None:
        return "SKIP", _first_line(case.find("skipped"))
    return "PASS", ""


def _first_line(element: ET.Element | None) -> str:
    if element is None:
        return ""
    text = (element.get("message") or element.text or "").strip()
    return text.splitlines()[0][:200] if text else ""


def parse_junit(path: Path) -> tuple[CaseResult, ...]:
    """Every <testcase> of a pytest JUnit XML file, classified."""
    root = ET.parse(path).getroot()
    cases = []
    for case in root.iter("testcase"):
        outcome, detail = classify(case)
        recovery = seconds_of(_properties(case).get("recovery_time_s"))
        duration = float(case.get("time") or 0.0)
        cases.append(CaseResult(case.get("name", "?"), outcome, recovery, duration, detail))
    return tuple(cases)


def pytest_command(paths: Sequence[str], junit: Path, extra: Sequence[str]) -> list[str]:
    """The `tox -e chaos` selection of `paths`, writing JUnit XML to `junit`."""
    return [
        sys.executable,
        *("-m", "pytest", *paths, "-p", "no:cacheprovider", "-m", "chaos"),
        *("--junitxml", str(junit), "-q", "-rN", *extra),
    ]


def run_catalog(
    index: int, paths: Sequence[str], out: Path, extra: Sequence[str], echo: bool
) -> CatalogRun:
    """One catalog run in a subprocess; its output goes to `out/run-N.log`."""
    junit, log = out / f"run-{index}.xml", out / f"run-{index}.log"
    junit.unlink(missing_ok=True)
    started = time.monotonic()
    last = ""
    with log.open("w") as sink:
        proc = subprocess.Popen(
            pytest_command(paths, junit, extra),
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},  # the log fills as the run goes
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            sink.write(line)
            last = line.strip() or last
            if echo:
                print(f"  [{index}] {line.rstrip()}", flush=True)
        code = proc.wait()
    wall = time.monotonic() - started
    cases = parse_junit(junit) if junit.exists() else ()
    return CatalogRun(index, wall, code, cases, last)


def _dist(values: Sequence[float]) -> str:
    if not values:
        return "-"
    return (
        f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"
        f"  (n={len(values)})"
    )


def table(runs: Iterable[CatalogRun]) -> list[str]:
    """Per test case: outcome counts over the runs and recovery time min / median / max."""
    by_name: dict[str, list[CaseResult]] = defaultdict(list)
    for run in runs:
        for case in run.cases:
            by_name[case.name].append(case)
    width = max((len(n) for n in by_name), default=8)
    head = f"{'scenario':{width}}  " + " ".join(f"{o:>5.5}" for o in OUTCOMES)
    lines = [head + "  recovery_s min / median / max     duration_s median", "-" * 110]
    for name in sorted(by_name):
        cases = by_name[name]
        counts = " ".join(f"{sum(c.outcome == o for c in cases):>5}" for o in OUTCOMES)
        recoveries = [c.recovery_s for c in cases if c.recovery_s is not None]
        duration = statistics.median(c.duration_s for c in cases)
        lines.append(f"{name:{width}}  {counts}  {_dist(recoveries):33}  {duration:8.1f}")
    return lines


def not_passed(runs: Iterable[CatalogRun]) -> list[str]:
    """One line per non-PASS outcome (run, test, outcome, first line of the reason)."""
    return [
        f"run {r.index}: {c.name}: {c.outcome}" + (f": {c.detail}" if c.detail else "")
        for r in runs
        for c in r.cases
        if c.outcome != "PASS"
    ]


def _args(argv: Sequence[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """Our options, and what follows `--` (passed to pytest as is)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    cut = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["scenarios", "suites"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=REPO / "reports" / "catalog-repeat")
    parser.add_argument("--echo", action="store_true", help="stream pytest's output live")
    args = parser.parse_args(argv[:cut])
    if args.runs < 1:
        parser.error(f"--runs must be >= 1, got {args.runs}")
    return args, argv[cut + 1 :]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the catalog `--runs` times, print the table; 0 only if every outcome is PASS."""
    args, pytest_args = _args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    runs: list[CatalogRun] = []
    for i in range(1, args.runs + 1):
        print(f"run {i}/{args.runs}: pytest {' '.join(args.paths)} -m chaos ...", flush=True)
        run = run_catalog(i, args.paths, args.out, pytest_args, args.echo)
        runs.append(run)
        print(f"run {i}: {run.wall_s:.0f}s wall, exit {run.exit_code}: {run.summary}", flush=True)
        if not run.cases:
            print(f"run {i}: no JUnit report; see {args.out / f'run-{i}.log'}", flush=True)
    print()
    print("\n".join(table(runs)))
    walls = ", ".join(f"run {r.index} {r.wall_s:.0f}s" for r in runs)
    print(f"\nwall time per run: {walls}")
    problems = not_passed(runs)
    print("\n".join(["", "non-PASS outcomes:", *problems]) if problems else "\nevery outcome PASS")
    ok = all(r.cases for r in runs) and not problems
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
