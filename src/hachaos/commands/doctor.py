"""`hachaos doctor [--fix]`: one line per requirement, and Docker provisioning on Debian."""

from __future__ import annotations

import argparse

from hachaos.commands.images import build_and_report
from hachaos.doctor import (
    Check,
    Fixer,
    SubprocessRunner,
    SystemProbe,
    checks,
    ping_engine,
    plan_fix,
)
from hachaos.errors import HachaosError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `doctor`."""
    parser = subparsers.add_parser("doctor", help="check (and --fix) what hachaos needs")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="as root on Debian: install the missing host tools (docker.io, iptables, "
        "debootstrap, ...), start dockerd if no engine answers, build missing images",
    )
    parser.set_defaults(func=run)


def _report(found: list[Check]) -> int:
    for check in found:
        print(check.line(), flush=True)
    return 0 if all(c.ok or not c.required for c in found) else 1


def run(args: argparse.Namespace) -> int:
    """Print the checks; with --fix, provision what is missing first (see hachaos.doctor)."""
    probe = SystemProbe()
    facts = probe.gather()
    if args.fix:
        plan = plan_fix(facts)
        if plan.advice:
            print(f"fix: {plan.advice}", flush=True)
        if plan.actions:
            Fixer(SubprocessRunner(), ping_engine, _build).apply(plan)
            facts = probe.gather()
    return _report(checks(facts))


def _build() -> bool:
    """Build every missing or stale image; False (with the reason) when that fails."""
    try:
        build_and_report()
    except HachaosError as exc:
        print(f"fix: images build failed: {exc}", flush=True)
        return False
    return True
