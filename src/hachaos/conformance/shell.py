"""Commands on a machine through pytest-testinfra's connection backends (`docker://`,
`ssh://`, `paramiko://`, `local://`): the one way conformance checks reach a node.

Every command runs under `timeout -s KILL`, so a hung tool costs its deadline, not the suite.
Commands that read secrets run with testinfra's debug log muted (it logs every output).
"""

from __future__ import annotations

import contextvars
import logging
import shlex
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Protocol

import testinfra

DEFAULT_TIMEOUT_S = 20.0
_QUIET: contextvars.ContextVar[bool] = contextvars.ContextVar("hachaos_quiet", default=False)
_FILTER_LOCK = threading.Lock()


@dataclass(frozen=True)
class Ran:
    """Exit code and output of one command."""

    rc: int
    stdout: str
    stderr: str = ""

    @property
    def ok(self) -> bool:
        """True when it exited 0."""
        return self.rc == 0

    def why(self, limit: int = 200) -> str:
        """The end of its error output (or output), on one line, for a message."""
        text = " ".join((self.stderr.strip() or self.stdout.strip()).split())
        text = text or f"exit code {self.rc}"
        return text if len(text) <= limit else "..." + text[-limit:]


class Remote(Protocol):
    """A machine commands can be run on."""

    where: str  # the connection string, for messages

    def run(self, argv: Sequence[str], timeout_s: float = DEFAULT_TIMEOUT_S) -> Ran:
        """Run `argv` (no shell unless it asks for one) within `timeout_s`."""
        ...

    def run_secret(self, argv: Sequence[str], timeout_s: float = DEFAULT_TIMEOUT_S) -> Ran:
        """As `run`, for output that holds secrets: never logged."""
        ...


class _Result(Protocol):
    rc: int
    stdout: str
    stderr: str


class _Host(Protocol):
    def run(self, command: str) -> _Result: ...


class _Quiet(logging.Filter):
    """Drops testinfra's records while a secret is being read in this context."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _QUIET.get()


def _install_filter() -> None:
    logger = logging.getLogger("testinfra")
    with _FILTER_LOCK:
        if not any(isinstance(f, _Quiet) for f in logger.filters):
            logger.addFilter(_Quiet())


@contextmanager
def quiet() -> Iterator[None]:
    """Mute testinfra's command log (which includes outputs) within the block."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


class TestinfraShell:
    """A `Remote` over one testinfra host (one connection string)."""

    __test__ = False  # not a pytest test class, whatever imports it

    def __init__(self, where: str, get_host: Callable[[str], _Host] | None = None) -> None:
        self.where = where
        self._host = (get_host or testinfra.get_host)(where)
        _install_filter()

    def run(self, argv: Sequence[str], timeout_s: float = DEFAULT_TIMEOUT_S) -> Ran:
        """`timeout -s KILL T argv...` on the host."""
        command = shlex.join(["timeout", "-s", "KILL", f"{timeout_s:g}", *argv])
        try:
            result = self._host.run(command)
        except Exception as exc:  # testinfra raises for a backend that cannot connect
            return Ran(-1, "", f"{type(exc).__name__}: {exc}")
        return Ran(int(result.rc), str(result.stdout), str(result.stderr))

    def run_secret(self, argv: Sequence[str], timeout_s: float = DEFAULT_TIMEOUT_S) -> Ran:
        """`run` with testinfra's log muted."""
        with quiet():
            return self.run(argv, timeout_s)
