"""`hachaos down [RUN_ID] [--all]`: remove a run's containers, networks and volumes."""

from __future__ import annotations

import argparse

from hachaos.backends import DEFAULT_BACKEND, get_backend
from hachaos.errors import HachaosError
from hachaos.tls.run_files import forget_run_tls


def _pick_run(args: argparse.Namespace) -> str | None:
    if args.all:
        return None
    if args.run_id:
        return str(args.run_id)
    runs = get_backend(args.backend).runs()
    if len(runs) == 1:
        return runs[0].run_id
    if not runs:
        raise HachaosError("no hachaos runs to tear down")
    ids = ", ".join(r.run_id for r in runs)
    raise HachaosError(f"{len(runs)} runs exist ({ids}); name one or pass --all")


def run(args: argparse.Namespace) -> int:
    """Tear down one run (or all) and say what was removed."""
    run_id = _pick_run(args)
    backend = get_backend(args.backend)
    gone = [run_id] if run_id else [r.run_id for r in backend.runs()]
    rep = backend.down(run_id)
    for each in gone:  # `hachaos up` keeps the run's TLS files until the run is torn down
        forget_run_tls(each)
    print(
        f"{run_id or 'all runs'}: removed {rep.containers} container(s), {rep.networks} "
        f"network(s), {rep.volumes} volume(s) in {rep.seconds:.2f}s"
    )
    return 0


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `down`."""
    p = subs.add_parser("down", help="tear down a run (kills, no grace period)")
    p.add_argument("run_id", nargs="?", help="the run (default: the only one)")
    p.add_argument("--all", action="store_true", help="every hachaos run")
    p.add_argument("--backend", default=DEFAULT_BACKEND)
    p.set_defaults(func=run)
