"""The platform app's releases (fixtures/apps/platform): the version file, the migration run
once under a lock, what each release inserts, and the supervisor restarting its server in
place on SIGHUP (real child processes, no Docker)."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from hachaos.clock import wait_until

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "fixtures" / "apps" / "platform"))

from platform_app import release as rel
from platform_app.release import RELEASES, ReleaseDatabase, UnknownRelease, install, installed
from platform_app.supervisor import Supervisor


class FakeCursor:
    """Records statements; `applied` answers the schema_migrations lookup."""

    def __init__(self, applied: str | None) -> None:
        self.applied = applied
        self.sql: list[str] = []
        self.params: list[Any] = []
        self._row: tuple[Any, ...] | None = None

    def execute(self, sql: str, params: Any = None) -> None:
        self.sql.append(sql)
        self.params.append(params)
        found = "FROM schema_migrations" in sql and self.applied is not None
        self._row = (self.applied,) if found else None

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._row


def fake_db(name: str, applied: str | None = None) -> tuple[ReleaseDatabase, FakeCursor]:
    db = ReleaseDatabase(
        RELEASES[name], "app-1", "pg", 5432, dbname="d", user="u", password="p", timeout_s=1
    )
    cur = FakeCursor(applied)

    @contextmanager
    def transaction() -> Iterator[FakeCursor]:
        yield cur

    db.transaction = transaction  # type: ignore[method-assign,assignment]
    return db, cur


def test_a_migration_runs_under_the_lock_and_is_recorded() -> None:
    db, cur = fake_db("2")
    assert db.apply(RELEASES["2"], "app-1") is None
    assert cur.sql[0] == "SELECT pg_advisory_xact_lock(%s)"  # before anything else
    assert any("ADD COLUMN IF NOT EXISTS app_version" in s for s in cur.sql)
    assert "INSERT INTO schema_migrations" in cur.sql[-1]
    assert cur.params[-1][:2] == ("2", "app-1")


def test_a_recorded_migration_is_not_run_again() -> None:
    db, cur = fake_db("2", applied="app-2 (platform-upgrade)")
    assert db.apply(RELEASES["2"], "app-1") == "app-2 (platform-upgrade)"
    assert not any("ALTER TABLE" in s or "INSERT" in s for s in cur.sql)


def test_release_2_expands_release_1_keeps_working() -> None:
    """The expand migration only adds a column with a default, which release 1's insert (not
    naming it) leaves to the default; the contract one renames a column release 1 writes."""
    assert all("RENAME" not in ddl and "DEFAULT" in ddl for ddl in RELEASES["2"].migration)
    assert any("RENAME COLUMN node" in ddl for ddl in RELEASES["2-contract"].migration)
    db1, cur1 = fake_db("1")
    db1._insert("id", "r", "app-1", 1.0)
    assert "app_version" not in cur1.sql[0] and "node" in cur1.sql[0]
    db2, cur2 = fake_db("2")
    db2._insert("id", "r", "app-1", 1.0)
    assert "(id, request_id, state, node, created_at, app_version)" in cur2.sql[0]
    assert cur2.params[0][-1] == 2


def test_the_version_file(tmp_path: Path) -> None:
    path = tmp_path / "v" / "version"
    assert installed(path) is None
    install("2", path)
    assert installed(path) == "2"
    with pytest.raises(UnknownRelease):
        install("3", path)
    assert installed(path) == "2"


def test_hachaos_app_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(rel, "VERSION_FILE", tmp_path / "version")
    monkeypatch.delenv("PLATFORM_VERSION", raising=False)
    assert rel.main(["--version"]) == 1  # a worker: no release to report
    install("2", tmp_path / "version")
    assert rel.main(["--version"]) == 0
    assert capsys.readouterr().out == "hachaos platform 2 (release 2)\n"


CHILD = """\
import os, signal, sys
from pathlib import Path
signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM])
with Path(sys.argv[1]).open("a") as f:
    f.write(os.environ["PLATFORM_VERSION"] + "\\n")
signal.sigwait([signal.SIGTERM])
sys.exit(3)
"""


def test_the_supervisor_restarts_its_server_on_the_new_release(tmp_path: Path) -> None:
    starts, version = tmp_path / "starts", tmp_path / "version"
    install("1", version)
    sup = Supervisor([sys.executable, "-c", CHILD, str(starts)], version)
    codes: list[int] = []
    runner = threading.Thread(target=lambda: codes.append(sup.run()))
    runner.start()

    def started() -> list[str]:
        return starts.read_text().split() if starts.exists() else []

    wait_until(started, lambda s: s == ["1"], what="server on release 1", timeout_s=10)
    install("2", version)
    sup.signal(signal.SIGHUP)
    wait_until(started, lambda s: s == ["1", "2"], what="server on release 2", timeout_s=10)
    sup.signal(signal.SIGTERM)
    runner.join(timeout=10)
    assert codes == [3]  # the server's own status once stopped


def test_a_server_that_exits_by_itself_is_not_restarted(tmp_path: Path) -> None:
    install("1", tmp_path / "version")
    sup = Supervisor([sys.executable, "-c", "raise SystemExit(7)"], tmp_path / "version")
    assert sup.run() == 7
