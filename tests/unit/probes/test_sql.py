"""SQL probe classification and the Postgres target's redaction (no server needed)."""

from __future__ import annotations

import psycopg
import pytest
from netfakes import free_port
from pydantic import SecretStr

from hachaos.clients.postgres import PgAttemptError, PgSession, PgTarget, classify
from hachaos.history import Outcome
from hachaos.probes.sql import SqlInsertProbe


class _Err(Exception):
    def __init__(self, sqlstate: str | None) -> None:
        super().__init__(f"sqlstate {sqlstate}")
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("exc", "sent", "want"),
    [
        (_Err(None), False, Outcome.FAIL),  # connect failed: nothing sent
        (TimeoutError(), False, Outcome.FAIL),  # connect timed out
        (TimeoutError(), True, Outcome.UNKNOWN),  # no answer to a sent statement
        (_Err(None), True, Outcome.UNKNOWN),  # connection lost after sending
        (_Err("57P01"), True, Outcome.UNKNOWN),  # admin shutdown: may have committed locally
        (_Err("08006"), True, Outcome.UNKNOWN),
        (_Err("XX000"), True, Outcome.UNKNOWN),
        (_Err("57014"), True, Outcome.FAIL),  # statement_timeout before COMMIT: rolled back
        (_Err("25006"), True, Outcome.FAIL),  # read-only transaction: refused
        (_Err("23505"), True, Outcome.FAIL),  # unique violation: refused
    ],
)
def test_classify(exc: BaseException, sent: bool, want: Outcome) -> None:
    assert classify(exc, sent) is want


def test_target_never_shows_password() -> None:
    t = PgTarget("127.0.0.1", 5000, "postgres", "postgres", SecretStr("s3cret"))
    for text in (str(t), repr(t), t.redacted(), f"{t!r} {t}"):
        assert "s3cret" not in text
    assert str(t) == "postgresql://postgres:***@127.0.0.1:5000/postgres"


def test_refused_connection_is_fail_and_probe_never_raises() -> None:
    t = PgTarget("127.0.0.1", free_port(), "postgres", "postgres", SecretStr("s3cret"))
    probe = SqlInsertProbe(PgSession(t, 0.5), "hachaos_probe", "k")
    res = probe.attempt(7)
    probe.close()
    assert (res.outcome, res.key) == (Outcome.FAIL, "k:7")
    assert res.error == "OperationalError"


def test_attempt_error_message_has_outcome() -> None:
    err = PgAttemptError(Outcome.UNKNOWN, "Timeout", "no answer")
    assert str(err) == "Timeout (unknown): no answer"
    assert issubclass(psycopg.OperationalError, psycopg.Error)
