"""`hachaos report`: the night's HTML report (Allure 3, history from the previous nights) and the
certification comparison against the last nights pooled (`report.nights`, `certification.pool`),
among which this night is then kept."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hachaos.certification.load import BadRecord, load_certification
from hachaos.certification.pool import pooled
from hachaos.commands.compare import EXIT_BAD_INPUT, compare_records
from hachaos.report.allure_html import generate
from hachaos.report.nights import kept, store


def _compare_with_last_nights(args: argparse.Namespace) -> int:
    if not args.certification.is_file():
        print(f"hachaos report: {args.certification}: no certification record from this run")
        return EXIT_BAD_INPUT
    try:  # a record compare cannot read must not become a baseline
        tonight = load_certification(args.certification)
        previous = [load_certification(path) for path in kept(args.night_dir)]
    except BadRecord as exc:
        print(f"hachaos report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    code = 0
    if previous:
        label = f"the last {len(previous)} night(s) pooled ({args.night_dir})"
        print(f"comparison with {label}:")
        names = (label, str(args.certification))
        code = compare_records(pooled(previous), tonight, names, True, args.markdown)
    else:
        print(f"no previous night in {args.night_dir}: this night becomes the baseline")
    store(args.night_dir, args.certification, tonight, args.keep_nights)
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
    return _compare_with_last_nights(args) if "compare" in steps else 0


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
        "--keep-nights",
        type=int,
        default=5,
        metavar="N",
        help="nights kept and pooled as the baseline of the comparison (default 5)",
    )
    p.add_argument(
        "--steps",
        default="generate,compare",
        help="generate, compare or both (default generate,compare)",
    )
    p.set_defaults(func=run)
