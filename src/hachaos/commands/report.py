"""`hachaos report`: the night's HTML report (Allure 3, history from the previous nights) and the
certification comparison against the last good nights pooled (`report.nights`,
`certification.pool`), among which this night is then kept (marked, and never pooled, when it
regressed); then the histories and bundles the kept nights no longer need are removed
(`report.retention`)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from hachaos.certification.load import BadRecord, load_certification
from hachaos.certification.pool import pooled
from hachaos.certification.record import Certification
from hachaos.commands.compare import EXIT_BAD_INPUT, EXIT_REGRESSION, compare_records
from hachaos.report.allure_html import generate
from hachaos.report.nights import good, kept, store, window_start
from hachaos.report.retention import (
    BUNDLE,
    HISTORY,
    MIB,
    Keep,
    conformance_bundles,
    prune,
    run_ids,
)
from hachaos.usage import at_least

RETAIN_NIGHTS, RETAIN_MB = "HACHAOS_RETAIN_NIGHTS", "HACHAOS_RETAIN_MB"


def _pool(
    previous: dict[Path, Certification], night_dir: Path, n: int
) -> tuple[list[Certification], str]:
    """The baseline: the last `n` good nights (a night that regressed is never one); and the
    line that names it, or says there is none."""
    paths = good(list(previous))
    pool = [previous[path] for path in paths][-max(n, 1) :]
    if pool:
        left_out = len(previous) - len(paths)
        note = f"; {left_out} regressed night(s) not pooled" if left_out else ""
        return pool, f"the last {len(pool)} night(s) pooled ({night_dir}){note}"
    if previous:
        nights = f"{len(previous)} kept night{'s all' if len(previous) > 1 else ''}"
        return [], (
            f"no good night to compare with in {night_dir} (the {nights} regressed): "
            "this night is not compared and becomes the baseline"
        )
    return [], f"no previous night in {night_dir}: this night becomes the baseline"


def _compare_with_last_nights(args: argparse.Namespace) -> int:
    if not args.certification.is_file():
        print(f"hachaos report: {args.certification}: no certification record from this run")
        return EXIT_BAD_INPUT
    try:  # a record compare cannot read must not become a baseline
        tonight = load_certification(args.certification)
        previous = {path: load_certification(path) for path in kept(args.night_dir)}
    except BadRecord as exc:
        print(f"hachaos report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    pool, label = _pool(previous, args.night_dir, args.keep_nights)
    code = 0
    if pool:
        print(f"comparison with {label}:")
        names = (label, str(args.certification))
        code = compare_records(pooled(pool), tonight, names, True, args.markdown)
    else:
        print(label)
    retained = max(args.keep_nights, args.retain_nights)
    bad = code != 0  # a regression, or a summary not written: not known to be good
    where = store(
        args.night_dir, args.certification, tonight, retained, pool=args.keep_nights, bad=bad
    )
    if bad:
        what = "regressed" if code == EXIT_REGRESSION else "was not judged whole"
        print(f"this night {what}: kept as {where}, left out of the baseline pool")
    still_kept = [record for path, record in previous.items() if path.exists()]
    _prune(args, [*previous.values(), tonight], [*still_kept, tonight])
    return code


def _prune(
    args: argparse.Namespace, nights: Sequence[Certification], kept_records: list[Certification]
) -> None:
    """Remove the histories and bundles older than the last `--retain-nights` nights that no
    kept record names; one line."""
    folders = [(args.history_dir, HISTORY)]
    named = conformance_bundles(args.conformance_summary)
    if named is not None:
        folders.append((args.bundle_dir, BUNDLE))
    since = window_start(nights, args.retain_nights)
    cap = args.retain_mb * MIB or None
    keep = Keep(since, frozenset(run_ids(kept_records)), frozenset(named or ()), cap)
    done = prune(folders, keep)
    if named is None:
        done.notes.append(f"{args.bundle_dir} left alone ({args.conformance_summary} unreadable)")
    print(done.line(f"the last {args.retain_nights} nights, and runs kept records name"))


def _add_count(
    p: argparse.ArgumentParser, flag: str, text: str, *, env: str, default: int, minimum: int
) -> None:
    """An option taking a whole number >= `minimum`, its default from `env`, else `default`."""

    help_text = f"{text} (default ${env}, else {default})"
    default_text = os.environ.get(env, str(default))
    p.add_argument(
        flag, type=at_least(minimum, env), default=default_text, metavar="N", help=help_text
    )


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
        help="the last N nights pooled as the baseline of the comparison (default 5)",
    )
    nights = "histories, bundles and records of the last N nights are kept, older ones only "
    nights += "while a kept record names them"
    _add_count(p, "--retain-nights", nights, env=RETAIN_NIGHTS, default=14, minimum=1)
    cap = "then at most N MiB of histories and bundles, the oldest ones no record names "
    cap += "removed first; 0: no cap"
    _add_count(p, "--retain-mb", cap, env=RETAIN_MB, default=1024, minimum=0)
    p.add_argument("--history-dir", type=Path, default=Path("reports/histories"))
    p.add_argument("--bundle-dir", type=Path, default=Path("reports/bundles"))
    p.add_argument("--conformance-summary", type=Path, default=Path("reports/conformance.json"))
    p.add_argument(
        "--steps",
        default="generate,compare",
        help="generate, compare or both (default generate,compare)",
    )
    p.set_defaults(func=run)
