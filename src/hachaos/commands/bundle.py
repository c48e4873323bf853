"""`hachaos bundle RUN_ID`: the support bundle of a live run, by hand (the run is found
through the backend's `runs()`, its stack file by the stack's name)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hachaos.backends import DEFAULT_BACKEND, get_backend
from hachaos.backends.base import Attachable
from hachaos.commands.up import resolve_stack_path
from hachaos.errors import HachaosError
from hachaos.report.bundle import DEADLINE_S, DEFAULT_DIR, write_bundle
from hachaos.spec.loader import load_stack
from hachaos.spec.models import short

EXIT_BAD_RUN = 2


def run(args: argparse.Namespace) -> int:
    """Attach to the run, write its bundle, print where it went."""
    backend = get_backend(args.backend)
    found = [r for r in backend.runs() if r.run_id == args.run_id]
    if not found:
        print(
            f"hachaos: no run {short(args.run_id)} on backend {backend.name} "
            "(`hachaos ps` lists the runs)",
            file=sys.stderr,
        )
        return EXIT_BAD_RUN
    if not isinstance(backend, Attachable):
        raise HachaosError(f"backend {backend.name} cannot attach to a running run (no attach)")
    spec = load_stack(resolve_stack_path(found[0].stack, args.stacks))
    stack = backend.attach(spec, args.run_id)
    bundle = write_bundle(stack, spec.name, args.out)
    late = f"; timed out: {', '.join(bundle.timed_out)}" if bundle.timed_out else ""
    print(
        f"{bundle.path}: {bundle.size / 1024:.0f} KiB from {bundle.nodes} nodes "
        f"in {bundle.seconds:.1f}s{late}"
    )
    return 0


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `bundle`."""
    p = subs.add_parser(
        "bundle",
        help=f"write a live run's support bundle (logs, processes, topology; <= {DEADLINE_S:g}s)",
    )
    p.add_argument("run_id", metavar="RUN_ID", help="a run listed by `hachaos ps`")
    p.add_argument("--backend", default=DEFAULT_BACKEND)
    p.add_argument("--out", type=Path, default=DEFAULT_DIR, metavar="DIR")
    p.add_argument("--stacks", action="append", type=Path, default=[], metavar="DIR")
    p.set_defaults(func=run)
