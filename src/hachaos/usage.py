"""Argument parsing for every hachaos entry point: a usage error is one line, exit 2."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any, NoReturn

EXIT_USAGE = 2  # as for an invalid file: the input is wrong, nothing ran


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
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def at_least(minimum: int, source: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number >= `minimum` (`source`, e.g. the environment variable
    a default came from, is named in the error)."""

    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            value = minimum - 1
        if value < minimum:
            where = f" ({source})" if source else ""
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}, got {text!r}{where}"
            )
        return value

    return parse
