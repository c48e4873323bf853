"""The quorum cluster's server app (fixtures/apps/quorum), with a fake database and etcd: a
write is committed only after quorum was confirmed, refused and rolled back without it."""

from __future__ import annotations

import http.client
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from netfakes import http_server

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "fixtures" / "apps" / "quorum"))

from quorum_app.db import Duplicate, Unavailable
from quorum_app.etcd import MemberStatus, NoQuorum
from quorum_app.server import make_handler
from quorum_app.service import Items


class FakeGate:
    def __init__(self) -> None:
        self.quorum = True
        self.calls: list[str] = []

    def confirm_quorum(self) -> None:
        self.calls.append("quorum")
        if not self.quorum:
            raise NoQuorum("etcd /v3/kv/range: TimeoutError")

    def status(self) -> MemberStatus:
        return MemberStatus(1, 1 if self.quorum else 0)


class FakeCursor:
    def __init__(self, db: FakeDb) -> None:
        self.db = db
        self.rows: list[tuple[Any, ...]] = []

    def __enter__(self) -> FakeCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        self.db.log.append(sql.split(maxsplit=1)[0])
        if sql.startswith("INSERT"):
            if args[0] in self.db.committed:
                raise Duplicate()
            self.db.pending[args[0]] = (args[1], args[2])
        elif sql.startswith("SELECT v"):
            found = self.db.committed.get(args[0])
            self.rows = [found] if found else []
        elif sql.startswith("SELECT k"):
            prefix = args[0].rstrip("%")
            self.rows = [(k,) for k in sorted(self.db.committed) if k.startswith(prefix)]

    def fetchone(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return self.rows


class FakeConn:
    def __init__(self, db: FakeDb) -> None:
        self.db = db

    def cursor(self) -> FakeCursor:
        return FakeCursor(self.db)

    def commit(self) -> None:
        self.db.log.append("COMMIT")
        if self.db.fail_commit:
            raise Unavailable("OperationalError: 2013")
        self.db.committed.update(self.db.pending)
        self.db.pending.clear()

    def rollback(self) -> None:
        self.db.log.append("ROLLBACK")
        self.db.pending.clear()


class FakeDb:
    def __init__(self) -> None:
        self.committed: dict[str, tuple[str, str]] = {}
        self.pending: dict[str, tuple[str, str]] = {}
        self.log: list[str] = []
        self.up = True
        self.fail_commit = False

    @contextmanager
    def connection(self) -> Iterator[FakeConn]:
        if not self.up:
            raise Unavailable("connect: 2003")
        yield FakeConn(self)

    def ping(self) -> None:
        if not self.up:
            raise Unavailable("connect: 2003")


@pytest.fixture
def parts() -> tuple[Items, FakeDb, FakeGate]:
    db, gate = FakeDb(), FakeGate()
    return Items("server-2", db, gate), db, gate


def test_write_commits_after_quorum_is_confirmed(parts: tuple[Items, FakeDb, FakeGate]) -> None:
    items, db, _ = parts
    reply = items.write("k:1", "v")
    assert (reply.status, reply.body) == (201, {"key": "k:1", "node": "server-2"})
    assert db.log == ["INSERT", "COMMIT"] and db.committed == {"k:1": ("v", "server-2")}


def test_without_quorum_the_write_is_rolled_back(parts: tuple[Items, FakeDb, FakeGate]) -> None:
    items, db, gate = parts
    gate.quorum = False
    reply = items.write("k:1", "v")
    assert reply.status == 503 and reply.body["status"] == "no-quorum"
    assert db.log == ["INSERT", "ROLLBACK"] and db.committed == {}


def test_database_problems_are_unavailable(parts: tuple[Items, FakeDb, FakeGate]) -> None:
    items, db, _ = parts
    db.fail_commit = True
    assert items.write("k:1", "v").body["status"] == "unavailable"
    db.fail_commit, db.up = False, False
    assert items.write("k:2", "v").body["status"] == "unavailable"
    assert items.read("k:2").body["status"] == "unavailable"


def test_duplicate_and_bad_input(parts: tuple[Items, FakeDb, FakeGate]) -> None:
    items, _, _ = parts
    assert items.write("k:1", "v").status == 201
    assert items.write("k:1", "v").status == 409
    assert items.write("", "v").status == 400
    assert items.write("k:2", 3).status == 400


def test_health_needs_quorum_and_database(parts: tuple[Items, FakeDb, FakeGate]) -> None:
    items, db, gate = parts
    assert items.health().status == 200 and items.health().body["role"] == "leader"
    gate.quorum = False
    health = items.health()
    assert health.status == 503 and health.body["role"] == "no-leader"
    assert "no quorum" in health.body["detail"]
    gate.quorum, db.up = True, False
    assert "database unavailable" in items.health().body["detail"]


def test_http_api(parts: tuple[Items, FakeDb, FakeGate]) -> None:
    items, _, _ = parts
    with http_server(make_handler(items)) as port:

        def call(method: str, path: str, body: object = None) -> tuple[int, Any, str | None]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request(method, path, json.dumps(body) if body is not None else None)
            resp = conn.getresponse()
            data = json.loads(resp.read())
            conn.close()
            return resp.status, data, resp.getheader("X-Hachaos-Node")

        assert call("POST", "/items", {"key": "p:1", "value": "a"}) == (
            201,
            {"key": "p:1", "node": "server-2"},
            "server-2",
        )
        assert call("GET", "/items/p:1")[:2] == (
            200,
            {"key": "p:1", "value": "a", "node": "server-2"},
        )
        assert call("GET", "/items?prefix=p:")[:2] == (200, {"keys": ["p:1"]})
        assert call("GET", "/items/nope")[0] == 404
        assert call("GET", "/healthz")[1]["ok"] is True
        assert call("POST", "/items", [1])[0] == 400
