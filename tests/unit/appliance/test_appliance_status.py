"""Replication status: OK / CRITICAL against the thresholds, and the text the runbook's waits
and the role resolver read."""

from __future__ import annotations

import re

import pytest

from appliance.config import Thresholds
from appliance.status import Datastore, overall, render
from hachaos.topology.appliance import parse_view

T = Thresholds(lag_bytes=65536, lag_s=10.0)


@pytest.mark.parametrize(
    ("ds", "ok", "reason"),
    [
        (Datastore("postgres", True, 100, 0.01), True, "streaming"),
        (Datastore("postgres", False, 5000, None, "replica ap-2 not streaming"), False,
         "replica ap-2 not streaming"),
        (Datastore("postgres", True, 70000, 0.2), False, "lag 70000 B > 65536 B"),
        (Datastore("postgres", True, 10, 12.5), False, "replay lag 12.5s > 10s"),
        (Datastore("postgres", True, None, None, "primary ap-1 unreachable"), False,
         "primary ap-1 unreachable"),
    ],
)  # fmt: skip
def test_judge(ds: Datastore, ok: bool, reason: str) -> None:
    assert ds.judge(T) == (ok, reason)


def _doc(*stores: Datastore, role: str = "primary", mode: str = "active") -> dict[str, object]:
    rendered = [d.to_json(T) for d in stores]
    return {
        "node": "ap-1",
        "role": role,
        "mode": mode,
        "epoch": 2,
        "primary": "ap-1",
        "in_flight_writes": 0,
        "datastores": rendered,
        "replication": overall(rendered),
        "thresholds": {"lag_bytes": T.lag_bytes, "lag_s": T.lag_s},
    }


def test_render_is_what_the_runbook_waits_for() -> None:
    text = render(_doc(Datastore("postgres", True, 0, 0.0)))
    assert re.search("in_flight_writes: 0\nreplication: OK", text)
    assert "datastore postgres: OK streaming=yes lag_bytes=0 lag_s=0.000 (streaming)" in text
    assert "thresholds: CRITICAL when not streaming, lag_bytes > 65536 or lag_s > 10" in text
    view = parse_view("ap-1", text)
    assert (view.role, view.mode, view.replication, view.is_primary) == (
        "primary",
        "active",
        "OK",
        True,
    )


def test_render_critical_and_unknown_lag() -> None:
    text = render(_doc(Datastore("postgres", False, None, None, "database not running")))
    assert "replication: CRITICAL" in text
    line = "datastore postgres: CRITICAL streaming=no lag_bytes=- lag_s=- (database not running)"
    assert line in text


def test_no_datastore_is_not_ok() -> None:
    assert overall([]) == "CRITICAL"


def test_fenced_or_replica_views() -> None:
    fenced = parse_view("ap-1", render(_doc(role="fenced", mode="fenced")))
    assert not fenced.is_primary
    assert not fenced.is_healthy_replica
    replica = parse_view("ap-2", render(_doc(Datastore("postgres", True, 0), role="replica")))
    assert replica.is_healthy_replica
    assert parse_view("ap-3", "").summary() == "ap-3=?/?"
