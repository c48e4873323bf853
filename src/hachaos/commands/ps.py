"""`hachaos ps`: the runs that still hold resources."""

from __future__ import annotations

import argparse

from hachaos.backends import DEFAULT_BACKEND, get_backend


def run(args: argparse.Namespace) -> int:
    """Print one line per run."""
    runs = get_backend(args.backend).runs()
    if not runs:
        print("no hachaos runs")
        return 0
    for r in runs:
        print(f"{r.run_id}  {r.stack:20} {r.status:12} {', '.join(r.nodes)}")
    return 0


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `ps`."""
    p = subs.add_parser("ps", help="list hachaos runs and their nodes")
    p.add_argument("--backend", default=DEFAULT_BACKEND)
    p.set_defaults(func=run)
