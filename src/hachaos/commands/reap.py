"""`hachaos reap [RUN_ID] [--all]`: revert journalled faults and remove a run's resources."""

from __future__ import annotations

import argparse
from typing import Any

from hachaos.backends import DEFAULT_BACKEND, get_backend


def add_parser(subparsers: Any) -> None:
    """Register `reap`."""
    parser = subparsers.add_parser(
        "reap",
        help="revert leftover faults and remove runs' containers/networks",
        description=(
            "Revert the faults a run's journal still lists (firewall rules, toxics, pauses, "
            "disconnects) and remove its labelled containers, networks and volumes. Without "
            "arguments: every run whose runner died. With --all: every hachaos run."
        ),
    )
    parser.add_argument("run_id", nargs="?", help="the run to reap (e.g. hc-3f9a1c2b)")
    parser.add_argument("--all", action="store_true", help="reap every hachaos run, live or not")
    parser.add_argument(
        "--backend",
        default=DEFAULT_BACKEND,
        help="where runs without a journal here live (default %(default)s)",
    )
    parser.set_defaults(func=reap_command)


def _targets(args: argparse.Namespace) -> list[str] | None:
    """Run ids to reap, or None for "runs whose runner died" (a sweep)."""
    if args.run_id:
        return [args.run_id]
    if not args.all:
        return None
    from hachaos.reaper.journal import runs_dir

    root = runs_dir()
    journalled = {p.parent.name for p in root.glob("*/journal.jsonl")} if root.is_dir() else set()
    return sorted(get_backend(args.backend).run_ids() | journalled)


def reap_command(args: argparse.Namespace) -> int:
    """Reap and print one line of counts per run; exit 0 unless a revert failed."""
    import shutil

    from hachaos.reaper.journal import Journal
    from hachaos.reaper.reap import reap_run

    targets = _targets(args)
    if targets is None:
        from hachaos.reaper.sweep import sweep_leftovers

        report = sweep_leftovers(get_backend(args.backend))
        summaries = list(report.reaped)
        for run_id in report.unmanaged:
            print(f"{run_id}: no journal here (not reaped; name it or use --all)")
    else:
        summaries = []
        for run_id in targets:
            journal = Journal.for_run(run_id)
            summary = reap_run(run_id, journal, backend=args.backend)
            if summary.ok:
                shutil.rmtree(journal.path.parent, ignore_errors=True)
            summaries.append(summary)
    for s in summaries:
        print(s.line())
        for line in s.failed:
            print(f"  failed: {line}")
    if not summaries:
        print("nothing to reap")
    return 0 if all(s.ok for s in summaries) else 1
