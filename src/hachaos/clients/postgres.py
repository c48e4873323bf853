"""A Postgres client for probes and ledgers: one persistent connection, one attempt per call.

Every call runs under a client-side deadline (asyncio on a private event loop, so a dead server
behind HAProxy cannot hang a probe) and either returns rows or raises `PgAttemptError` carrying
what the client learnt:

* ``fail``: certainly not applied: the connection (or its setup) failed before the statement
  was sent, or the server answered with an error (the implicit transaction rolled back).
* ``unknown``: may have been applied: the connection dropped or the deadline passed after the
  statement was sent, the server terminated the session (class 57P, 08, XX), or Postgres
  warned that it cancelled the wait for synchronous replication (committed locally only).

The password never leaves `PgTarget`: its text form is redacted.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from pydantic import SecretStr

from hachaos.errors import HachaosError
from hachaos.history import Outcome

_SYNC_REP_CANCELLED = "wait for synchronous replication"
_INDETERMINATE_CLASSES = ("08", "57", "XX")  # connection, operator intervention, internal
_STATEMENT_TIMEOUT = "57014"  # statement_timeout fired before COMMIT: rolled back


@dataclass(frozen=True)
class PgTarget:
    """Where and as whom to connect; `str()` and `repr()` never show the password."""

    host: str
    port: int
    dbname: str
    user: str
    password: SecretStr = field(repr=False)

    def redacted(self) -> str:
        """The connection string with the password masked."""
        return f"postgresql://{self.user}:***@{self.host}:{self.port}/{self.dbname}"

    def __str__(self) -> str:
        return self.redacted()

    def __repr__(self) -> str:
        return f"PgTarget({self.redacted()!r})"


class PgAttemptError(HachaosError):
    """One attempt did not succeed; `outcome` says whether it may still have been applied."""

    def __init__(self, outcome: Outcome, error: str, detail: str = "") -> None:
        self.outcome = outcome
        self.error = error
        super().__init__(f"{error} ({outcome}): {detail}" if detail else f"{error} ({outcome})")


def classify(exc: BaseException, sent: bool) -> Outcome:
    """Map an error to fail (certainly not applied) or unknown (may have been applied)."""
    if not sent:
        return Outcome.FAIL
    if isinstance(exc, TimeoutError):
        return Outcome.UNKNOWN
    sqlstate = getattr(exc, "sqlstate", None)
    if sqlstate is None:
        return Outcome.UNKNOWN  # the connection broke: no answer to what was sent
    if sqlstate == _STATEMENT_TIMEOUT:
        return Outcome.FAIL
    return Outcome.UNKNOWN if sqlstate[:2] in _INDETERMINATE_CLASSES else Outcome.FAIL


class PgSession:
    """One connection through `target`, opened on demand and dropped after any error."""

    def __init__(
        self,
        target: PgTarget,
        timeout_s: float,
        setup: Sequence[str] = (),
        application_name: str = "hachaos",
    ) -> None:
        self.target = target
        self._timeout_s = timeout_s
        self._setup = tuple(setup)
        self._app = application_name
        self._loop = asyncio.new_event_loop()
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._sync_rep_cancelled = False

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run one statement (autocommit) as one attempt; rows, or PgAttemptError."""
        return self._loop.run_until_complete(self._attempt(sql, params))

    async def _attempt(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        sent = False
        try:
            async with asyncio.timeout(self._timeout_s):
                conn = await self._connection()
                sent = True
                self._sync_rep_cancelled = False
                cur = await conn.execute(sql, params)
                rows = await cur.fetchall() if cur.description else []
        except (TimeoutError, psycopg.Error) as exc:
            await self._drop()
            name = "Timeout" if isinstance(exc, TimeoutError) else type(exc).__name__
            raise PgAttemptError(classify(exc, sent), name, _first_line(exc)) from None
        if self._sync_rep_cancelled:
            raise PgAttemptError(Outcome.UNKNOWN, "SyncRepCancelled", "committed locally only")
        return rows

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        t = self.target
        conn = await psycopg.AsyncConnection.connect(
            host=t.host,
            port=t.port,
            dbname=t.dbname,
            user=t.user,
            password=t.password.get_secret_value(),
            connect_timeout=max(2, math.ceil(self._timeout_s)),
            application_name=self._app,
            options=f"-c statement_timeout={max(1, int(self._timeout_s * 1000))}",
            autocommit=True,
        )
        conn.add_notice_handler(self._on_notice)
        self._conn = conn  # dropped by the caller if the setup below fails
        for stmt in self._setup:
            await conn.execute(stmt)
        return conn

    def _on_notice(self, diag: psycopg.errors.Diagnostic) -> None:
        if _SYNC_REP_CANCELLED in (diag.message_primary or ""):
            self._sync_rep_cancelled = True

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # a broken connection may fail to say goodbye
                return

    def close(self) -> None:
        """Close the connection and the private event loop."""
        if self._loop.is_closed():
            return
        self._loop.run_until_complete(self._drop())
        self._loop.close()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else ""
