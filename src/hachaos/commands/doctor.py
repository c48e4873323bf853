"""`hachaos doctor [--fix]`: one line per requirement, and Docker provisioning on Debian."""

from __future__ import annotations

import argparse

from hachaos.doctor import (
    Check,
    Fixer,
    SubprocessRunner,
    SystemProbe,
    checks,
    ping_engine,
    plan_fix,
)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `doctor`."""
    parser = subparsers.add_parser("doctor", help="check (and --fix) what hachaos needs")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="as root on Debian with no engine: install docker.io and start dockerd",
    )
    parser.set_defaults(func=run)


def _report(found: list[Check]) -> int:
    for check in found:
        print(check.line(), flush=True)
    return 0 if all(c.ok or not c.required for c in found) else 1


def run(args: argparse.Namespace) -> int:
    """Print the checks; with --fix, provision the engine first when none answers."""
    probe = SystemProbe()
    facts = probe.gather()
    if args.fix and not facts.answers:
        plan = plan_fix(facts)
        if plan.advice:
            print(f"fix: {plan.advice}", flush=True)
        if plan.actions and Fixer(SubprocessRunner(), ping_engine).apply(plan):
            facts = probe.gather()
    return _report(checks(facts))
