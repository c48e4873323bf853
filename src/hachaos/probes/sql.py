"""SQL write probe: one INSERT of a unique key per run, through the stack's client entry point.

The value recorded with an acknowledged write is the Patroni member that acknowledged it (the
server's `inet_server_addr()` mapped to a node name), so `checks.overlap.primary_overlap` can
see two primaries accepting writes at once.
"""

from __future__ import annotations

from collections.abc import Callable

from hachaos.clients.postgres import PgAttemptError, PgSession
from hachaos.history import Outcome
from hachaos.probes.base import Attempt

NameOf = Callable[[str], str]


def table_ddl(table: str) -> str:
    """The probe/ledger table: one row per unique key, with the node that took it."""
    return f"CREATE TABLE IF NOT EXISTS {table} (k text PRIMARY KEY, node inet, at timestamptz)"


class SqlInsertProbe:
    """INSERT `<prefix>:<seq>` (autocommit: acknowledged at COMMIT), one attempt each."""

    kind = "write"

    def __init__(
        self,
        session: PgSession,
        table: str,
        prefix: str,
        name_of: NameOf = str,
        process: str = "probe",
    ) -> None:
        self.process = process
        self._session = session
        self._prefix = prefix
        self._name_of = name_of
        self._sql = (
            f"INSERT INTO {table} (k, node, at) VALUES (%s, inet_server_addr(), now()) "
            "RETURNING host(inet_server_addr())"
        )

    def attempt(self, seq: int) -> Attempt:
        """One INSERT; never raises."""
        key = f"{self._prefix}:{seq}"
        try:
            rows = self._session.execute(self._sql, (key,))
        except PgAttemptError as exc:
            return Attempt(exc.outcome, exc.error, key)
        except Exception as exc:  # a probe never raises: anything else is indeterminate
            return Attempt(Outcome.UNKNOWN, type(exc).__name__, key)
        server = str(rows[0][0]) if rows and rows[0][0] is not None else ""
        return Attempt(Outcome.OK, key=key, value=self._name_of(server) if server else None)

    def close(self) -> None:
        """Close the session."""
        self._session.close()
