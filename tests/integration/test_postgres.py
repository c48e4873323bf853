"""The Patroni stack against real containers: boot + leader, ledger set check, kill-primary.

One stack per module (async replication); the kill-primary test runs last because it changes
the leader.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import repo_stack

from hachaos.backends.docker.backend import DockerBackend
from hachaos.checks.data import check_set
from hachaos.clients.postgres import PgSession
from hachaos.clock import wait_until
from hachaos.events import EventBus
from hachaos.history import History, Outcome
from hachaos.running import RunningStack
from hachaos.scenario.runner import run_scenario
from hachaos.spec.loader import load_scenario
from hachaos.spec.models import Role
from hachaos.topology import resolver_for
from hachaos.topology.patroni import PatroniResolver, entry_target
from hachaos.verdict import VerdictOutcome
from hachaos.workloads.ledger import LEDGER_PROCESS, Ledger
from hachaos.workloads.postgres import LEDGER_TABLE, PostgresLedgerStore

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pg_stack(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    """postgres-patroni, booted once for this module."""
    with repo_stack(docker_backend, "postgres-patroni") as stack:
        yield stack


def _served_by(stack: RunningStack) -> tuple[bool, str]:
    session = PgSession(entry_target(stack), 2.0)
    try:
        rows = session.execute("SELECT pg_is_in_recovery(), host(inet_server_addr())")
    finally:
        session.close()
    return bool(rows[0][0]), str(rows[0][1])


def test_boots_and_resolver_names_the_leader(pg_stack: RunningStack) -> None:
    resolver = resolver_for(pg_stack)
    assert isinstance(resolver, PatroniResolver)
    # HAProxy routes to a primary (bounded wait: a just-booted cluster may still settle) ...
    _, ip = wait_until(
        lambda: _served_by(pg_stack),
        lambda r: not r[0],
        what="entry serves a primary",
        timeout_s=15,
        interval_s=0.2,
    )
    (primary,) = resolver.holders(Role.PRIMARY)
    replicas = resolver.holders(Role.REPLICA)
    assert sorted(n.name for n in [primary, *replicas]) == ["pg-1", "pg-2", "pg-3"]
    served_by = pg_stack.node_at(ip)
    views = [(v.source, v.leader) for v in resolver.views()]
    assert served_by is not None and served_by.name == primary.name, views  # ... the leader
    assert "hachaos-test-only" not in str(entry_target(pg_stack))


def test_ledger_final_read_finds_a_synthetic_lost_key(pg_stack: RunningStack) -> None:
    history = History()
    store = PostgresLedgerStore(entry_target(pg_stack), f"it:{pg_stack.run_id}", 1.0)
    ledger = Ledger(store, history, interval_s=0.01)
    with ledger.running():
        wait_until(lambda: len(history.ops), lambda n: n >= 30, what="30 writes", timeout_s=20)
    acked = [op.key for op in history.ops if op.outcome is Outcome.OK]
    victim = acked[len(acked) // 2]
    session = PgSession(entry_target(pg_stack), 2.0)
    try:
        session.execute(f"DELETE FROM {LEDGER_TABLE} WHERE k = %s", (victim,))
    finally:
        session.close()
    assert ledger.final_read(timeout_s=10).complete
    result = check_set(history, process_prefix=LEDGER_PROCESS)
    assert result.valid is False
    assert result.lost == (victim,)
    assert result.acknowledged == len(acked)


def test_kill_primary_verdict_has_recovery_and_data(pg_stack: RunningStack) -> None:
    loaded = load_scenario(REPO / "scenarios/postgres/kill-primary.yaml")
    result = run_scenario(loaded.spec, pg_stack, EventBus(), seed=1)
    values = {m.name: m for m in result.verdict.measurements}
    assert result.verdict.outcome is VerdictOutcome.PASS, result.line()
    recovery_s = values["recovery_time_s"].value
    assert recovery_s is not None
    assert 2 < recovery_s < 20
    assert values["lost_writes"].value is not None  # async: budgeted by its window
    acknowledged = values["acknowledged"].value
    assert acknowledged is not None
    assert acknowledged > 10
    assert result.history.final_reads[-1].complete
