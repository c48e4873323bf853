"""Postgres replication: exactly one primary, and every other node a standby whose WAL receiver
is streaming and whose replay is within `max_lag_bytes` of the primary's current WAL."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from hachaos.conformance.check import CLUSTER, Check, cannot_run
from hachaos.conformance.fields import select
from hachaos.conformance.health_spec import PostgresStreaming
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec

STATE_SQL = (
    "SELECT pg_is_in_recovery(), "
    "coalesce((SELECT status FROM pg_stat_wal_receiver), ''), "
    "CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_lsn() END"
)


@dataclass(frozen=True)
class PgState:
    """One node's view: standby or not, its WAL receiver's status, its replay/current LSN."""

    standby: bool
    receiver: str
    lsn: int | None


def parse_lsn(text: str) -> int | None:
    """`16/B374D848` -> its byte position; None when empty or malformed."""
    high, sep, low = text.strip().partition("/")
    try:
        return (int(high, 16) << 32) + int(low, 16) if sep else None
    except ValueError:
        return None


def parse_state(line: str) -> PgState | None:
    """`t|streaming|0/3000060` (psql -At output) -> PgState."""
    parts = line.strip().split("|")
    if len(parts) != 3 or parts[0] not in ("t", "f"):
        return None
    return PgState(parts[0] == "t", parts[1], parse_lsn(parts[2]))


def state_of(node: str, spec: PostgresStreaming, target: Target) -> PgState | Outcome:
    """The node's state (read once per target), or why it could not be read."""

    def read() -> PgState | Outcome:
        what = " ".join(spec.psql) + " -c 'SELECT pg_is_in_recovery() ...'"
        try:
            ran = target.shell(node).run([*spec.psql, "-XAtqc", STATE_SQL], timeout_s=15)
        except NoConnection as exc:
            return Outcome.failed(str(exc), "give the node a testinfra connection")
        state = parse_state(ran.stdout) if ran.ok else None
        return (
            state
            if state is not None
            else cannot_run(node, what, ran if not ran.ok else Ran(1, ran.stdout))
        )

    return target.memo(("pg", node), read)


def _primaries(nodes: list[str], spec: PostgresStreaming, target: Target) -> list[str]:
    states = {n: state_of(n, spec, target) for n in nodes}
    return [n for n, s in states.items() if isinstance(s, PgState) and not s.standby]


def one_primary(nodes: list[str], spec: PostgresStreaming, target: Target) -> Outcome:
    """Exactly one node of `nodes` is out of recovery (the primary)."""
    primaries = _primaries(nodes, spec, target)
    if len(primaries) == 1:
        return Outcome.passed(f"one primary: {primaries[0]}")
    down = [n for n in nodes if isinstance(state_of(n, spec, target), Outcome)]
    seen = f"primaries: {', '.join(primaries) or 'none'}" + (
        f" (not answering: {', '.join(down)})" if down else ""
    )
    if not primaries:
        return Outcome.failed(
            seen, "bring a primary up (or let the HA manager, e.g. Patroni, elect one)"
        )
    return Outcome.failed(
        f"more than one primary: {seen}",
        "split brain: stop all but one primary and rebuild the others as standbys "
        "(e.g. patronictl reinit)",
    )


def streams(node: str, nodes: list[str], spec: PostgresStreaming, target: Target) -> Outcome:
    """`node` is a standby streaming from the primary (or is the primary itself), its replay
    within `max_lag_bytes` of the primary's current WAL position."""
    state = state_of(node, spec, target)
    if isinstance(state, Outcome):
        return state
    if not state.standby:
        return Outcome.passed(f"{node} is the primary")
    if state.receiver != "streaming":
        return Outcome.failed(
            f"{node} is a standby but its WAL receiver is {state.receiver or 'not running'}",
            f"check {node}'s primary_conninfo and the primary's pg_hba (replication), then let "
            "it reconnect (e.g. patronictl restart, or reinit if it fell too far behind)",
        )
    primaries = _primaries(nodes, spec, target)
    primary_state = state_of(primaries[0], spec, target) if len(primaries) == 1 else None
    if not isinstance(primary_state, PgState) or primary_state.lsn is None or state.lsn is None:
        return Outcome.failed(
            f"{node} streams, but its lag cannot be measured without exactly one primary "
            f"(primaries: {', '.join(primaries) or 'none'})",
            "fix the primary first (see the one-primary check)",
        )
    lag = max(0, primary_state.lsn - state.lsn)
    if lag <= spec.max_lag_bytes:
        return Outcome.passed(f"{node} streams from {primaries[0]}, lag {lag} B")
    return Outcome.failed(
        f"{node} streams from {primaries[0]} but lags {lag} B > {spec.max_lag_bytes} B",
        f"find what slows {node} (disk, network, long queries on the standby); a standby that "
        "cannot catch up needs a rebuild",
    )


def plan_postgres(spec: PostgresStreaming, stack: StackSpec) -> list[Check]:
    """A one-primary check, then a streaming check per node."""
    nodes = [n for key in spec.roles for n in select(key, stack)]
    if not nodes:
        return []
    role = "/".join(spec.roles)
    checks = [
        Check(
            "replication",
            role,
            CLUSTER,
            "postgres-one-primary",
            "exactly one Postgres primary",
            partial(one_primary, nodes, spec),
        )
    ]
    checks += [
        Check(
            "replication",
            stack.nodes[n].role,
            n,
            "postgres-streaming",
            f"{n} streams with lag <= {spec.max_lag_bytes} B",
            partial(streams, n, nodes, spec),
        )
        for n in nodes
    ]
    return checks
