"""The appliance node's state: refusals by role and mode, persistence, the write gate."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from appliance.config import ConfigError, from_env
from appliance.gate import WriteGate
from appliance.state import (
    MAINTENANCE,
    REPLICATION,
    STARTING,
    UNCONFIRMED,
    NodeState,
    Role,
    StateStore,
    parse_state,
)

PRIMARY = NodeState(Role.PRIMARY, 1, ready=True)


@pytest.mark.parametrize(
    ("state", "write", "read", "mode"),
    [
        (PRIMARY, None, None, "active"),
        (NodeState(Role.PRIMARY, 1, maintenance=True, ready=True), MAINTENANCE, None,
         "maintenance"),
        (NodeState(Role.PRIMARY, 1, ready=False), STARTING, STARTING, "starting"),
        (NodeState(Role.PRIMARY, 1, confirmed=False, ready=True), UNCONFIRMED, UNCONFIRMED,
         "unconfirmed"),
        (NodeState(Role.REPLICA, 1, ready=True), REPLICATION, REPLICATION, "replication"),
        (NodeState(Role.FENCED, 2, ready=True), REPLICATION, REPLICATION, "fenced"),
    ],
)  # fmt: skip
def test_refusals_by_role_and_mode(
    state: NodeState, write: object, read: object, mode: str
) -> None:
    assert state.write_refusal() == write
    assert state.read_refusal() == read
    assert state.mode == mode


def test_clear_statuses() -> None:
    assert (MAINTENANCE.status, MAINTENANCE.error) == (
        "maintenance",
        "maintenance mode: writes refused",
    )
    assert (REPLICATION.status, REPLICATION.error) == ("replication", "server in replication mode")


def test_state_persists_only_durable_fields(tmp_path: Path) -> None:
    path = str(tmp_path / "state.json")
    store = StateStore(path, NodeState(Role.PRIMARY, 1, primary="ap-1"))
    store.save()
    store.update(ready=True)
    store.update(maintenance=True, epoch=3)
    assert json.loads(Path(path).read_text()) == {
        "role": "primary",
        "epoch": 3,
        "maintenance": True,
        "primary": "ap-1",
    }
    loaded = StateStore.load(path)
    assert loaded is not None
    assert loaded.current == NodeState(Role.PRIMARY, 3, maintenance=True, primary="ap-1")
    assert not loaded.current.ready  # runtime flags start over
    assert StateStore.load(str(tmp_path / "missing.json")) is None


@pytest.mark.parametrize(
    "doc", [[], {"role": "primary", "epoch": 0}, {"role": "boss", "epoch": 1}, {"epoch": 1}]
)
def test_malformed_state_is_rejected(doc: object) -> None:
    with pytest.raises(ValueError):
        parse_state(doc)


def test_gate_counts_in_flight_and_drains(tmp_path: Path) -> None:
    store = StateStore(str(tmp_path / "s.json"), PRIMARY)
    gate = WriteGate(store)
    entered, release = threading.Event(), threading.Event()

    def write() -> None:
        with gate.admit() as refusal:
            assert refusal is None
            entered.set()
            release.wait(5)

    t = threading.Thread(target=write)
    t.start()
    assert entered.wait(5)
    store.update(maintenance=True)
    with gate.admit() as refusal:
        assert refusal is MAINTENANCE
        assert gate.in_flight == 1  # a refused write is not counted
    assert gate.in_flight == 1
    assert not gate.drain(0.05)  # the write admitted before maintenance is still running
    release.set()
    assert gate.drain(5)
    t.join(5)
    assert gate.in_flight == 0


ENV = {
    "APPLIANCE_NODE": "ap-2",
    "APPLIANCE_PEER": "ap-1",
    "APPLIANCE_INITIAL_ROLE": "replica",
    "APPLIANCE_PEER_REPL": "repl-ap-1:15432",
    "APPLIANCE_REPL_PASSWORD": "test-only",
}


def test_settings_from_env() -> None:
    s = from_env(ENV | {"APPLIANCE_LAG_CRITICAL_BYTES": "1024"})
    assert (s.node, s.peer, s.peer_repl, s.slot, s.peer_slot) == (
        "ap-2",
        "ap-1",
        ("repl-ap-1", 15432),
        "ap_2",
        "ap_1",
    )
    assert s.thresholds.lag_bytes == 1024
    assert s.fencing
    assert "test-only" not in repr(s)


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("APPLIANCE_NODE", "AP 1", "APPLIANCE_NODE must be a node name"),
        ("APPLIANCE_INITIAL_ROLE", "leader", "APPLIANCE_INITIAL_ROLE must be primary or replica"),
        ("APPLIANCE_PEER_REPL", "repl-ap-1", "APPLIANCE_PEER_REPL must be host:port"),
        ("APPLIANCE_REPL_PASSWORD", "", "APPLIANCE_REPL_PASSWORD must be set"),
        ("APPLIANCE_FENCING", "maybe", "APPLIANCE_FENCING must be on or off"),
        ("APPLIANCE_LAG_CRITICAL_S", "-1", "APPLIANCE_LAG_CRITICAL_S must be > 0"),
    ],
)
def test_bad_settings_name_the_variable(key: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        from_env(ENV | {key: value})
