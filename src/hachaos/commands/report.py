"""`hachaos report`: the night's HTML report (Allure 3, history from the previous nights) and the
certification comparison against the previous night, which this night then replaces."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from hachaos.commands.compare import EXIT_BAD_INPUT, compare_files
from hachaos.report.allure_html import generate


def _compare_with_last_night(args: argparse.Namespace) -> int:
    previous = args.night_dir / "certification.json"
    if not args.certification.is_file():
        print(f"hachaos report: {args.certification}: no certification record from this run")
        return EXIT_BAD_INPUT
    code = 0
    if previous.is_file():
        print(f"comparison with the previous night ({previous}):")
        code = compare_files(previous, args.certification, True, args.markdown)
    else:
        print(f"no previous night in {args.night_dir}: this night becomes the baseline")
    if code != EXIT_BAD_INPUT:  # a record compare could not read must not become the baseline
        args.night_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.certification, previous)
    return code


def _generate(args: argparse.Namespace) -> int:
    if not args.results.is_dir():
        print(f"hachaos report: {args.results}: no Allure results folder", file=sys.stderr)
        return EXIT_BAD_INPUT
    history = args.night_dir / "allure-history.jsonl"
    done = generate(args.allure, args.results, args.out, history, args.name)
    print(f"report: {done.output}/index.html (generated in {done.seconds:.2f}s)")
    return 0


def run(args: argparse.Namespace) -> int:
    """Generate the report and/or compare with the previous night; exit like `compare`."""
    steps = set(args.steps.split(","))
    unknown = steps - {"generate", "compare"}
    if unknown:
        print(f"hachaos report: unknown step(s) {', '.join(sorted(unknown))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if "generate" in steps and (code := _generate(args)) != 0:
        return code
    return _compare_with_last_night(args) if "compare" in steps else 0


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `report`."""
    p = subs.add_parser(
        "report", help="HTML report with history (Allure 3) and comparison with the last night"
    )
    p.add_argument("--results", type=Path, default=Path("reports/allure-results"))
    p.add_argument("--out", type=Path, default=Path("reports/allure-report"))
    p.add_argument(
        "--night-dir",
        type=Path,
        default=Path("reports/nightly"),
        help="kept across nights: Allure history file and the previous night's record",
    )
    p.add_argument("--certification", type=Path, default=Path("reports/certification.json"))
    p.add_argument("--markdown", type=Path, default=Path("reports/certification.md"))
    p.add_argument("--allure", default="allure", help="the Allure 3 binary (default: allure)")
    p.add_argument("--name", default="hachaos nightly", help="report name")
    p.add_argument(
        "--steps",
        default="generate,compare",
        help="generate, compare or both (default generate,compare)",
    )
    p.set_defaults(func=run)
