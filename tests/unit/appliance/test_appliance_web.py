"""The appliance's HTTP API with an in-memory item store: statuses, the node header, refusals
by state, and the admin API's answers to the CLI and the peer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask.testing import FlaskClient

from appliance.errors import Refused
from appliance.gate import WriteGate
from appliance.state import NodeState, Role, StateStore
from appliance.web import admin_app, api_app, by_port


class Items:
    """A dict standing in for the items table; `down` makes every call fail like Postgres."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}
        self.down = False

    def _check(self) -> None:
        if self.down:
            raise psycopg.OperationalError("connection refused")

    def insert(self, key: str, value: str, node: str) -> bool:
        self._check()
        if key in self.rows:
            return False
        self.rows[key] = (value, node)
        return True

    def get(self, key: str) -> tuple[str, str] | None:
        self._check()
        return self.rows.get(key)

    def keys(self, prefix: str) -> list[str]:
        self._check()
        return sorted(k for k in self.rows if k.startswith(prefix))


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    return StateStore(str(tmp_path / "state.json"), NodeState(Role.PRIMARY, 1, ready=True))


@pytest.fixture
def items() -> Items:
    return Items()


@pytest.fixture
def api(store: StateStore, items: Items) -> FlaskClient:
    return api_app("ap-1", store, WriteGate(store), items).test_client()


def test_write_read_list(api: FlaskClient) -> None:
    r = api.post("/items", json={"key": "hachaos:hc-1:ledger:7", "value": "7"})
    assert (r.status_code, r.get_json()) == (201, {"key": "hachaos:hc-1:ledger:7", "node": "ap-1"})
    assert r.headers["X-Hachaos-Node"] == "ap-1"
    got = api.get("/items/hachaos:hc-1:ledger:7")
    assert got.get_json() == {"key": "hachaos:hc-1:ledger:7", "value": "7", "node": "ap-1"}
    api.post("/items", json={"key": "other:1", "value": "x"})
    assert api.get("/items?prefix=hachaos:hc-1:").get_json() == {"keys": ["hachaos:hc-1:ledger:7"]}
    missing = api.get("/items/nope")
    assert missing.status_code == 404
    assert missing.headers["X-Hachaos-Node"] == "ap-1"


def test_existing_key_is_a_conflict(api: FlaskClient) -> None:
    api.post("/items", json={"key": "k", "value": "1"})
    r = api.post("/items", json={"key": "k", "value": "2"})
    assert (r.status_code, r.get_json()["status"]) == (409, "conflict")


@pytest.mark.parametrize(
    "body", [None, [], {"value": "v"}, {"key": "", "value": "v"}, {"key": "a\nb", "value": "v"},
             {"key": "k", "value": 3}, {"key": "k" * 257, "value": "v"}],
)  # fmt: skip
def test_bad_bodies_are_400(api: FlaskClient, body: object) -> None:
    r = api.post("/items", json=body)
    assert r.status_code == 400
    assert r.get_json()["status"] == "bad-request"


def test_maintenance_refuses_writes_and_serves_reads(
    api: FlaskClient, store: StateStore, items: Items
) -> None:
    items.rows["k"] = ("v", "ap-1")
    store.update(maintenance=True)
    r = api.post("/items", json={"key": "new", "value": "v"})
    assert (r.status_code, r.get_json()) == (
        503,
        {"error": "maintenance mode: writes refused", "status": "maintenance"},
    )
    assert "new" not in items.rows
    assert api.get("/items/k").status_code == 200
    health = api.get("/healthz")
    assert (health.status_code, health.get_json()) == (
        503,
        {"ok": False, "role": "primary", "detail": "maintenance mode: writes refused"},
    )


@pytest.mark.parametrize("role", [Role.REPLICA, Role.FENCED])
def test_a_replica_runs_no_application_services(
    api: FlaskClient, store: StateStore, role: Role
) -> None:
    store.update(role=role)
    for r in (
        api.post("/items", json={"key": "k", "value": "v"}),
        api.get("/items/k"),
        api.get("/items?prefix="),
    ):
        assert (r.status_code, r.get_json()["error"]) == (503, "server in replication mode")
        assert r.headers["X-Hachaos-Node"] == "ap-1"
    assert api.get("/healthz").get_json()["role"] == role.value


def test_database_down_is_unavailable(api: FlaskClient, items: Items) -> None:
    items.down = True
    r = api.post("/items", json={"key": "k", "value": "v"})
    assert (r.status_code, r.get_json()["status"]) == (503, "unavailable")
    assert api.get("/items/k").get_json()["status"] == "unavailable"


def test_healthy_primary(api: FlaskClient) -> None:
    r = api.get("/healthz")
    assert (r.status_code, r.get_json()) == (
        200,
        {"ok": True, "role": "primary", "detail": "accepting writes"},
    )


def test_unknown_path_is_json_with_the_node(api: FlaskClient) -> None:
    r = api.get("/nowhere")
    assert r.status_code == 404
    assert r.headers["X-Hachaos-Node"] == "ap-1"
    assert r.get_json()["status"] == "not-found"


class Admin:
    """Records the commands; refuses promotion unless forced."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def state_doc(self) -> dict[str, Any]:
        return {"node": "ap-2", "role": "replica"}

    def status_doc(self) -> dict[str, Any]:
        return {"node": "ap-2", "replication": "OK"}

    def set_maintenance(self, on: bool) -> str:
        self.calls.append(("maintenance", on))
        return f"maintenance {'on' if on else 'off'}"

    def promote(self, force: bool) -> str:
        if not force:
            raise Refused("the primary ap-1 still answers and accepts writes")
        return "ap-2 promoted to primary (epoch 2, forced)"

    def fence(self, epoch: int, primary: str, clean: bool) -> dict[str, Any]:
        self.calls.append(("fence", (epoch, primary, clean)))
        return {"ok": True, "checkpoint_lsn": "0/3000028" if clean else None}


def test_admin_api() -> None:
    admin = Admin()
    client = admin_app(admin).test_client()
    assert client.get("/admin/state").get_json() == {"node": "ap-2", "role": "replica"}
    assert client.get("/admin/status").get_json()["replication"] == "OK"
    assert client.post("/admin/maintenance", json={"on": True}).get_json() == {
        "ok": True,
        "detail": "maintenance on",
    }
    assert client.post("/admin/maintenance", json={"on": "yes"}).status_code == 400
    refused = client.post("/admin/promote", json={})
    assert (refused.status_code, refused.get_json()["ok"]) == (409, False)
    assert "still answers" in refused.get_json()["error"]
    assert client.post("/admin/promote", json={"force": True}).status_code == 200
    fenced = client.post("/admin/fence", json={"epoch": 2, "primary": "ap-2", "clean": True})
    assert fenced.get_json() == {"ok": True, "checkpoint_lsn": "0/3000028"}
    assert client.post("/admin/fence", json={"epoch": "2"}).status_code == 400
    assert admin.calls == [("maintenance", True), ("fence", (2, "ap-2", True))]


def test_by_port_keeps_the_admin_api_off_the_public_port(store: StateStore, items: Items) -> None:
    public = api_app("ap-1", store, WriteGate(store), items)
    app = by_port({8080: public, 8081: admin_app(Admin())})
    seen: list[str] = []

    def call(port: int, path: str) -> str:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "SERVER_NAME": "ap-1",
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": None,
        }
        body = b"".join(app(environ, lambda status, headers: seen.append(status)))
        return f"{seen[-1]} {body.decode()[:20]}"

    assert call(8080, "/healthz").startswith("200")
    assert call(8080, "/admin/state").startswith("404")
    assert call(8081, "/admin/state").startswith("200")
    assert call(9999, "/healthz") == "404 Not Found no such port\n"
