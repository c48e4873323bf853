"""`hachaos compare BASELINE CANDIDATE`: scenario by scenario, exit 1 on a regression."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hachaos.certification.compare import Comparison, compare
from hachaos.certification.load import BadRecord, load_certification
from hachaos.certification.record import Certification
from hachaos.certification.render import markdown, table

EXIT_REGRESSION = 1
EXIT_BAD_INPUT = 2


def missing_line(comparison: Comparison, baseline: str, candidate: str) -> str | None:
    """One line naming the side that lacks scenarios the other has (or runs of its own
    repeats), or None."""
    parts = []
    if comparison.only_baseline:
        parts.append(f"{candidate}: missing {', '.join(comparison.only_baseline)} (in {baseline})")
    if comparison.only_candidate:
        parts.append(f"{baseline}: missing {', '.join(comparison.only_candidate)} (in {candidate})")
    if comparison.incomplete:
        counts = (f"{n} has {k} of {n_runs} runs" for n, (k, n_runs) in comparison.runs.items())
        parts.append(f"{candidate}: {', '.join(counts)}")
    return "; ".join(parts) or None


def compare_records(
    base: Certification,
    cand: Certification,
    names: tuple[str, str],
    allow_missing: bool,
    md: Path | None,
) -> int:
    """Print the table, write the Markdown summary if asked; the exit code."""
    comparison = compare(base, cand)
    print("\n".join(table(comparison)))
    if md is not None:
        try:
            md.parent.mkdir(parents=True, exist_ok=True)
            md.write_text(markdown(comparison, base, cand, names))
        except OSError as exc:
            print(
                f"hachaos compare: cannot write the summary {md}: {exc.strerror}", file=sys.stderr
            )
            return EXIT_BAD_INPUT
        print(f"summary: {md}")
    missing = missing_line(comparison, *names)
    if missing and not allow_missing:
        print(f"hachaos compare: scenarios not on both sides: {missing}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_REGRESSION if comparison.regressions else 0


def compare_files(baseline: Path, candidate: Path, allow_missing: bool, md: Path | None) -> int:
    """Load both and compare them (`compare_records`); exit 2 on a file that is no record."""
    try:
        base, cand = load_certification(baseline), load_certification(candidate)
    except BadRecord as exc:
        print(f"hachaos compare: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return compare_records(base, cand, (str(baseline), str(candidate)), allow_missing, md)


def run(args: argparse.Namespace) -> int:
    """Compare two certification records."""
    return compare_files(args.baseline, args.candidate, args.allow_missing, args.markdown)


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `compare`."""
    p = subs.add_parser(
        "compare",
        help="compare two certification records; exit 1 on a regression, 2 on bad input",
    )
    p.add_argument("baseline", type=Path, metavar="BASELINE", help="the last good run's record")
    p.add_argument("candidate", type=Path, metavar="CANDIDATE", help="the run to judge")
    p.add_argument(
        "--allow-missing",
        action="store_true",
        help="scenarios on one side only are listed but not an error",
    )
    p.add_argument("--markdown", type=Path, metavar="PATH", help="also write a Markdown summary")
    p.set_defaults(func=run)
