"""Parsing Patroni's /cluster answer into an immutable view."""

from __future__ import annotations

from hachaos.topology.patroni import parse_cluster

DOC = {
    "members": [
        {"name": "pg-1", "role": "replica", "state": "streaming", "lag": 0},
        {"name": "pg-2", "role": "leader", "state": "running"},
        {"name": "pg-3", "role": "sync_standby", "state": "stopped", "lag": "unknown"},
    ]
}


def test_leader_and_running() -> None:
    view = parse_cluster("pg-1", DOC)
    assert view.leader == "pg-2"
    assert [m.name for m in view.members if m.is_running] == ["pg-1", "pg-2"]
    assert view.members[2].lag is None


def test_no_leader() -> None:
    assert parse_cluster("pg-1", {"members": []}).leader is None
