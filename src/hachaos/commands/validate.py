"""`hachaos validate PATH...`: check stack, scenario and profile files without touching
Docker."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from hachaos.conformance.load import is_profile_file, load_profile
from hachaos.errors import ConfigError, Problem
from hachaos.spec.loader import is_scenario_file, load_scenario, load_stack

EXIT_INVALID = 2


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # e.g. a name too long: reported when the file is read
        return False


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if _is_dir(path):
            yield from sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml"))
        else:
            yield path


def _check(path: Path, stack_dirs: list[Path]) -> list[Problem]:
    try:
        if is_scenario_file(path.resolve()):
            load_scenario(path, stack_dirs)
        elif is_profile_file(path.resolve()):
            load_profile(path)
        else:
            load_stack(path)
    except ConfigError as exc:
        return exc.problems
    return []


def run(args: argparse.Namespace) -> int:
    """Validate every file; print each problem as `file:line: message`; exit 2 if any."""
    problems: list[Problem] = []
    checked = 0
    for path in _files(args.paths):
        checked += 1
        problems.extend(_check(path, args.stacks))
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        return EXIT_INVALID
    print(f"{checked} file(s) valid")
    return 0


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `validate`."""
    p = subs.add_parser(
        "validate", help="check stack, scenario and profile files (no Docker needed)"
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files or directories")
    p.add_argument(
        "--stacks",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="extra directory of stack files",
    )
    p.set_defaults(func=run)
