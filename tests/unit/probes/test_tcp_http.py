"""tcp and http probes against loopback servers."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from netfakes import close_at_once, free_port, raw_server, status_server

from hachaos.clients.http import JsonHttpClient
from hachaos.history import Outcome
from hachaos.probes.http import HttpGetProbe
from hachaos.probes.tcp import TcpConnectProbe


@pytest.fixture
def http_port() -> Iterator[int]:
    with status_server() as port:
        yield port


def test_tcp_ok_and_refused(http_port: int) -> None:
    assert TcpConnectProbe("127.0.0.1", http_port, 0.5).attempt(0).outcome is Outcome.OK
    refused = TcpConnectProbe("127.0.0.1", free_port(), 0.5).attempt(1)
    assert refused.outcome is Outcome.FAIL
    assert refused.error == "ConnectionRefusedError"


@pytest.fixture
def closing_port() -> Iterator[int]:
    """A listener that accepts and closes at once, like a proxy with no live backend."""
    with raw_server(close_at_once) as port:
        yield port


def test_tcp_accepted_then_closed_is_a_failure(closing_port: int) -> None:
    closed = TcpConnectProbe("127.0.0.1", closing_port, 0.5).attempt(0)
    assert closed.outcome is Outcome.FAIL
    assert closed.error is not None and "closed" in closed.error


def _get(port: int, path: str, *, expect_status: int = 200, timeout_s: float = 0.5) -> HttpGetProbe:
    client = JsonHttpClient(lambda: ("127.0.0.1", port), timeout_s)
    return HttpGetProbe(client, path, expect_status=expect_status)


def test_http_expected_status(http_port: int) -> None:
    ok = _get(http_port, "/ok").attempt(0)
    assert (ok.outcome, ok.value) == (Outcome.OK, "200")
    bad = _get(http_port, "/down").attempt(1)
    assert (bad.outcome, bad.error) == (Outcome.FAIL, "HTTP 503")
    want_503 = _get(http_port, "/down", expect_status=503)
    assert want_503.attempt(2).outcome is Outcome.OK


def test_http_refused_is_fail() -> None:
    res = _get(free_port(), "/").attempt(0)
    assert res.outcome is Outcome.FAIL


def test_http_silent_server_is_unknown() -> None:
    with socket.socket() as srv:  # accepts (backlog) but never answers
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        res = _get(srv.getsockname()[1], "/", timeout_s=0.1).attempt(0)
    assert res.outcome is Outcome.UNKNOWN
