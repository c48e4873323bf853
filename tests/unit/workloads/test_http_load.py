"""The HTTP load's locust child against a loopback server: requests become `load` ops of the
history on the runner's clock, statuses are classified, and the runner is never patched."""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from netfakes import status_server

from hachaos.clock import REAL_CLOCK, wait_until
from hachaos.history import History, Outcome
from hachaos.workloads.http_load import HttpLoad, op_of, outcome_of


@pytest.fixture
def port() -> Iterator[int]:
    with status_server() as port:
        yield port


def test_locust_child_requests_become_load_ops(port: int) -> None:
    history = History()
    config = {
        "base_url": f"http://127.0.0.1:{port}",
        "cafile": None,
        "users": 2,
        "spawn_rate": 10,
        "wait_s": 0.01,
        "timeout_s": 2,
        "requests": [
            {"method": "GET", "path": "/ok", "body": None, "weight": 2},
            {"method": "POST", "path": "/builds", "body": {"a": 1}, "weight": 1},
            {"method": "GET", "path": "/broken", "body": None, "weight": 1},
        ],
    }
    before = time.monotonic_ns()
    with HttpLoad(history, config) as load:
        wait_until(
            lambda: len(history.ops),
            lambda n: n >= 40,
            what="load ops",
            timeout_s=20,
            clock=REAL_CLOCK,
        )
    ops = history.ops
    assert load.requests == len(ops) >= 40
    assert {op.process for op in ops} == {"load"}
    assert {op.kind for op in ops} == {"get", "post"}
    assert all(before <= op.start_ns <= op.end_ns <= time.monotonic_ns() for op in ops)
    by_status = {op.value: op.outcome for op in ops}
    assert by_status == {"200": Outcome.OK, "201": Outcome.OK, "503": Outcome.FAIL}
    assert "gevent" not in sys.modules or not _patched()


def _patched() -> bool:
    from gevent import monkey

    return bool(monkey.is_module_patched("socket"))


def test_runner_socket_is_the_stdlib_one() -> None:
    assert socket.socket.__module__ == "socket"


@pytest.mark.parametrize(
    ("status", "error", "outcome"),
    [
        (200, None, Outcome.OK),
        (503, "CatchResponseError", Outcome.FAIL),
        (0, "ConnectionRefusedError", Outcome.FAIL),
        (0, "timeout", Outcome.UNKNOWN),
    ],
)
def test_outcomes(status: int, error: str | None, outcome: Outcome) -> None:
    assert outcome_of(status, error) is outcome


def test_op_of_names_an_error_status() -> None:
    op = op_of({"s": 1, "e": 2, "m": "POST", "p": "/x", "st": 503, "err": "X"})
    assert (op.kind, op.error, op.value, op.outcome) == ("post", "HTTP 503", "503", Outcome.FAIL)


def _https_outcomes(tmp_path: Path, names: list[str], server_name: str | None) -> set[Outcome]:
    """A few GETs of the load against a loopback HTTPS server whose run certificate names
    `names`, dialled at 127.0.0.1 and verified as `server_name`; the ops' outcomes."""
    import ssl

    from hachaos.tls.issue import issue

    issued = issue("hc-test", names)
    (tmp_path / "ca.crt").write_bytes(issued.ca_cert)
    (tmp_path / "server.pem").write_bytes(issued.server_cert + issued.server_key)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem")
    history = History()
    with status_server(context) as port:
        config = {
            "base_url": f"https://127.0.0.1:{port}",
            "cafile": str(tmp_path / "ca.crt"),
            "server_name": server_name,
            "users": 1,
            "spawn_rate": 10,
            "wait_s": 0.01,
            "timeout_s": 2,
            "requests": [{"method": "GET", "path": "/ok", "body": None, "weight": 1}],
        }
        with HttpLoad(history, config):
            wait_until(
                lambda: len(history.ops),
                lambda n: n >= 5,
                what="load ops",
                timeout_s=20,
                clock=REAL_CLOCK,
            )
    return {op.outcome for op in history.ops}


def test_https_load_trusts_the_given_ca_only(tmp_path: Path) -> None:
    assert _https_outcomes(tmp_path, ["127.0.0.1", "localhost"], None) == {Outcome.OK}


@pytest.mark.parametrize(("server_name", "trusted"), [("lb", True), (None, False)])
def test_https_load_verifies_the_node_name_whatever_address_it_dials(
    tmp_path: Path, server_name: str | None, trusted: bool
) -> None:
    """The certificate names only `lb`; the load dials 127.0.0.1 (as it dials a node's own
    address): verified as `lb` it passes, as the address it must fail."""
    outcomes = _https_outcomes(tmp_path, ["lb"], server_name)
    assert outcomes == {Outcome.OK} if trusted else Outcome.OK not in outcomes
