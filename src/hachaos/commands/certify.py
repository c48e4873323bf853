"""`hachaos certify --baseline FILE`: run the catalog with repeats, compare, write Markdown."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from hachaos.certification.load import BadRecord, load_certification
from hachaos.commands.compare import EXIT_BAD_INPUT, compare_files
from hachaos.usage import at_least


def pytest_command(args: argparse.Namespace) -> list[str]:
    """The pytest run of the catalog, with repeats, writing the candidate record."""
    return [
        sys.executable,
        "-m",
        "pytest",
        *args.paths,
        "-p",
        "no:cacheprovider",
        "-m",
        args.marker,
        f"--hachaos-repeat={args.repeat}",
        f"--hachaos-certification={args.out}",
        "--alluredir",
        str(args.alluredir),
        "--clean-alluredir",
        "--junitxml",
        str(args.junitxml),
        *(f"--hachaos-stack-param={p}" for p in args.stack_param),
    ]


def run(args: argparse.Namespace) -> int:
    """Run, then compare against the baseline; exit like `compare` (1 regression, 2 bad input)."""
    if not args.baseline.is_file():
        print(f"hachaos certify: {args.baseline}: no such baseline file", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:  # a bad baseline is found before the catalog runs, not an hour later
        load_certification(args.baseline)
    except BadRecord as exc:
        print(f"hachaos certify: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    args.out.unlink(missing_ok=True)
    subprocess.run(pytest_command(args), check=False)  # verdicts are judged by the comparison
    if not args.out.is_file():
        print(f"hachaos certify: the run wrote no record ({args.out})", file=sys.stderr)
        return EXIT_BAD_INPUT
    return compare_files(args.baseline, args.out, args.allow_missing, args.markdown)


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `certify`."""
    p = subs.add_parser(
        "certify", help="run the catalog with repeats and compare it against a baseline record"
    )
    p.add_argument("--baseline", type=Path, required=True, help="the last good run's record")
    p.add_argument("--repeat", type=at_least(1), default=3, help="runs per scenario (default 3)")
    p.add_argument("--marker", default="chaos", help="pytest -m selection (default chaos)")
    p.add_argument("--out", type=Path, default=Path("reports/certification.json"))
    p.add_argument("--markdown", type=Path, default=Path("reports/certification.md"))
    p.add_argument("--alluredir", type=Path, default=Path("reports/allure-results"))
    p.add_argument("--junitxml", type=Path, default=Path("reports/junit.xml"))
    p.add_argument("--allow-missing", action="store_true", help="see `hachaos compare`")
    p.add_argument(
        "--stack-param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a stack parameter for the run (pytest's --hachaos-stack-param), e.g. version=2",
    )
    p.add_argument(
        "paths",
        nargs="*",
        default=["scenarios", "suites"],
        help="what to run; after --, pytest options too (e.g. -- scenarios -k kill)",
    )
    p.set_defaults(func=run)
