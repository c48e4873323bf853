"""The `hachaos` command line: a thin dispatcher over `hachaos.commands.*` modules."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence
from typing import Any, NoReturn

from hachaos.errors import ConfigError, HachaosError

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

EXIT_CONFIG = 2
EXIT_INFRA = 3


class OneLineParser(argparse.ArgumentParser):
    """A usage error is one line on stderr naming the command and its --help, then exit 2.

    `add_subparsers` makes each subcommand's parser (and theirs) with the parent's class, so this
    one class covers every parser of the CLI. A subcommand's parser reports the arguments it does
    not know itself: argparse would hand them up to `hachaos`, whose error names the wrong --help.
    """

    def __init__(self, *args: Any, top: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.top = top

    def parse_known_args(
        self, args: Iterable[str] | None = None, namespace: Any = None
    ) -> tuple[Any, list[str]]:
        """As argparse's; on a subcommand's parser, unknown arguments are a usage error."""
        parsed, unknown = super().parse_known_args(args, namespace)
        if unknown and not self.top:
            self.error(f"unrecognized arguments: {' '.join(unknown)}")
        return parsed, unknown

    def error(self, message: str) -> NoReturn:
        """Print `PROG: error: MESSAGE (see PROG --help)` instead of usage and message."""
        message = " ".join(message.splitlines())
        self.exit(EXIT_CONFIG, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


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
