"""The Postgres ledger: INSERT unique keys through the stack's entry point (acknowledged at
COMMIT), then SELECT them all back from whatever primary serves after healing."""

from __future__ import annotations

from hachaos.clients.postgres import PgSession, PgTarget
from hachaos.probes.base import Probe
from hachaos.probes.sql import NameOf, SqlInsertProbe, table_ddl
from hachaos.workloads.ledger import LEDGER_PROCESS

LEDGER_TABLE = "hachaos_ledger"


class PostgresLedgerStore:
    """Ledger keys as rows of one table; the read-back selects every row with the prefix."""

    def __init__(
        self,
        target: PgTarget,
        prefix: str,
        timeout_s: float,
        name_of: NameOf = str,
        table: str = LEDGER_TABLE,
    ) -> None:
        self._target = target
        self._prefix = prefix
        self._timeout_s = timeout_s
        self._name_of = name_of
        self._table = table

    def _session(self, timeout_s: float) -> PgSession:
        return PgSession(self._target, timeout_s, [table_ddl(self._table)], "hachaos-ledger")

    def writer(self) -> Probe:
        """An INSERT client recording the acknowledging node with each write."""
        session = self._session(self._timeout_s)
        return SqlInsertProbe(session, self._table, self._prefix, self._name_of, LEDGER_PROCESS)

    def read_back(self, timeout_s: float = 10.0) -> tuple[str, ...]:
        """Every ledger key in the table now (one attempt on a fresh connection)."""
        session = self._session(timeout_s)
        try:
            pattern = self._prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = session.execute(
                f"SELECT k FROM {self._table} WHERE k LIKE %s", (pattern + ":%",)
            )
        finally:
            session.close()
        return tuple(str(r[0]) for r in rows)
