"""The `hachaos` command line: a thin dispatcher over `hachaos.commands.*` modules."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from hachaos.errors import ConfigError, HachaosError
from hachaos.usage import EXIT_USAGE, OneLineParser

# Each name is a module in hachaos.commands exposing add_parser(subparsers); imported lazily
# so a command's heavy dependencies never slow down another.
COMMANDS = (
    "validate",
    "doctor",
    "images",
    "up",
    "ps",
    "down",
    "reap",
    "proxy",
    "compare",
    "certify",
    "report",
    "bundle",
)

EXIT_CONFIG = EXIT_USAGE
EXIT_INFRA = 3


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered subcommand."""
    parser = OneLineParser(prog="hachaos", description=__doc__, top=True)
    subs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"hachaos.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"hachaos.commands.{name}":
                continue  # command not shipped in this build
            raise
        module.add_parser(subs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; errors become one line on stderr and an exit code, never a traceback."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_CONFIG
    except HachaosError as exc:
        print(f"hachaos: error: {exc}", file=sys.stderr)
        return EXIT_INFRA
    except KeyboardInterrupt:
        print("hachaos: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
