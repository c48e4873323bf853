"""The build ledger's read-back: the platform's build and execution records, read from its
Postgres (the included Patroni stack's entry point) after healing.

The read is repeated with one deadline until every acknowledged build has a finished
execution (workers drain what queued up during the fault) or the deadline passes; the last
complete read is judged (`hachaos.checks.builds`).
"""

from __future__ import annotations

from collections import defaultdict

from hachaos.checks.builds import BuildLedgerResult, BuildRecord, check_builds, unreadable
from hachaos.clients.postgres import PgAttemptError, PgSession, PgTarget
from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.history import History

QUERY = (
    "SELECT b.request_id, b.created_at, e.started_at, e.finished_at"
    " FROM builds b LEFT JOIN executions e ON e.build_id = b.id"
    " WHERE b.request_id LIKE %s"
)


def like_prefix(prefix: str) -> str:
    """A LIKE pattern matching `prefix:` and anything after it."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + ":%"


def records_from_rows(rows: list[tuple[object, ...]]) -> list[BuildRecord]:
    """One record per build from (request_id, created_at, started_at, finished_at) rows."""
    created: dict[str, float] = {}
    runs: dict[str, list[tuple[float, float | None]]] = defaultdict(list)
    for rid, created_at, started, finished in rows:
        key = str(rid)
        created[key] = float(str(created_at))
        if started is not None:
            end = float(str(finished)) if finished is not None else None
            runs[key].append((float(str(started)), end))
    return [BuildRecord(rid, at, tuple(sorted(runs[rid]))) for rid, at in created.items()]


class BuildLedger:
    """Reads the builds a run's probe enqueued (request ids under `prefix`)."""

    def __init__(
        self, target: PgTarget, prefix: str, timeout_s: float = 5.0, clock: Clock = REAL_CLOCK
    ) -> None:
        self._target = target
        self._prefix = prefix
        self._timeout_s = timeout_s
        self._clock = clock
        self.read_error: str | None = None

    def read(self) -> list[BuildRecord]:
        """Every build of the run now, with its executions (one attempt, fresh connection)."""
        session = PgSession(self._target, self._timeout_s, (), "hachaos-build-ledger")
        try:
            rows = session.execute(QUERY, (like_prefix(self._prefix),))
        finally:
            session.close()
        return records_from_rows(rows)

    def settle(self, history: History, deadline_s: float) -> BuildLedgerResult:
        """Read until every acknowledged build finished (or the deadline), then judge."""
        last: list[BuildLedgerResult] = []

        def look() -> BuildLedgerResult | None:
            try:
                result = check_builds(history, self.read())
            except PgAttemptError as exc:
                self.read_error = f"build ledger read: {exc}"
                return None
            last[:] = [result]
            return result

        def settled(r: BuildLedgerResult | None) -> bool:
            return r is not None and not (r.lost or r.stuck)

        try:
            found = wait_until(
                look,
                settled,
                what="every acknowledged build finished",
                timeout_s=deadline_s,
                interval_s=0.5,
                clock=self._clock,
            )
            assert found is not None
            return found
        except DeadlineExceeded:
            if last:
                return last[0]
            return unreadable(history, self.read_error or "no read completed")
