"""One rule for a request without a reply, shared by every HTTP probe through the JSON client:
never sent (refused, connect timeout, TLS handshake or certificate failure) is `fail`; sent,
then no (whole) reply (read timeout, reset mid-reply) is `unknown`. Against real loopback
servers, plain and TLS with a run's own certificates."""

from __future__ import annotations

import socket
import ssl
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from netfakes import (
    connect_timeout_port,
    free_port,
    hang,
    raw_server,
    read_request,
    reset_mid_reply,
)

from hachaos.clients.http import JsonHttpClient, TlsConfig
from hachaos.history import Outcome
from hachaos.probes.base import Attempt, Probe
from hachaos.probes.build import BuildProbe
from hachaos.probes.http import HttpGetProbe
from hachaos.probes.http_items import HttpWriteProbe
from hachaos.spec.models import TlsSpec
from hachaos.tls.run_files import RunTls, write_run_tls

TIMEOUT_S = 0.3
PROBES: dict[str, Callable[[JsonHttpClient], Probe]] = {
    "build": lambda c: BuildProbe(c, "p"),
    "http-write": lambda c: HttpWriteProbe(c, "p"),
    "http": lambda c: HttpGetProbe(c, "/"),
}


def _attempt(kind: str, port: int, tls: TlsConfig | None = None) -> Attempt:
    client = JsonHttpClient(lambda: ("127.0.0.1", port), TIMEOUT_S, tls)
    return PROBES[kind](client).attempt(1)


@pytest.fixture(scope="module")
def run_tls(tmp_path_factory: pytest.TempPathFactory) -> RunTls:
    """A run's CA and server certificate, issued as for a stack (names lb, the runner)."""
    return write_run_tls(
        TlsSpec(nodes=("lb",), names=("lb",)), "hc-7", tmp_path_factory.mktemp("r")
    )


@pytest.fixture
def server_tls(run_tls: RunTls) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(run_tls.directory / "server.pem")
    return ctx


@pytest.fixture
def trust(run_tls: RunTls) -> TlsConfig:
    return TlsConfig(run_tls.ca_path.read_text())


@pytest.fixture(params=sorted(PROBES))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


# --- never sent: fail ------------------------------------------------------------------------


def test_refused_is_fail(kind: str) -> None:
    attempt = _attempt(kind, free_port())
    assert (attempt.outcome, attempt.error) == (Outcome.FAIL, "ConnectionRefusedError")


def test_connect_timeout_is_fail(kind: str) -> None:
    with connect_timeout_port() as port:
        attempt = _attempt(kind, port)
    assert (attempt.outcome, attempt.error) == (Outcome.FAIL, "TimeoutError")


def test_tls_handshake_timeout_is_fail(kind: str, trust: TlsConfig) -> None:
    seen: list[bytes] = []

    def record(conn: socket.socket, stop: threading.Event) -> None:
        seen.append(b"connected")
        hang(conn, stop)

    with raw_server(record) as port:  # TCP accepted, no TLS handshake ever answered
        attempt = _attempt(kind, port, trust)
    assert (attempt.outcome, attempt.error) == (Outcome.FAIL, "TimeoutError")
    assert seen == [b"connected"]


def test_untrusted_certificate_is_fail_naming_the_fix(
    kind: str, server_tls: ssl.SSLContext, tmp_path: Path
) -> None:
    requests: list[bytes] = []
    other = write_run_tls(TlsSpec(nodes=("lb",)), "hc-8", tmp_path)

    def answer(conn: socket.socket, stop: threading.Event) -> None:
        requests.append(read_request(conn))

    with raw_server(answer, server_tls) as port:
        attempt = _attempt(kind, port, TlsConfig(other.ca_path.read_text()))
    assert attempt.outcome is Outcome.FAIL
    assert requests == []
    assert attempt.error is not None
    assert attempt.error.startswith(
        "TLS certificate not trusted for '127.0.0.1': unable to get local issuer certificate; "
        "the server must present a certificate for '127.0.0.1' issued by the CA the client "
        "trusts (the run's CA: the stack's 'tls:' nodes and names;"
    )
    assert "BEGIN" not in attempt.error and "PRIVATE" not in attempt.error


def test_wrong_name_is_fail_with_the_name(
    kind: str, server_tls: ssl.SSLContext, run_tls: RunTls
) -> None:
    with raw_server(lambda conn, stop: None, server_tls) as port:
        attempt = _attempt(kind, port, TlsConfig(run_tls.ca_path.read_text(), "other.test"))
    assert attempt.outcome is Outcome.FAIL
    assert "Hostname mismatch, certificate is not valid for 'other.test'" in (attempt.error or "")


# --- sent, no whole reply: unknown -----------------------------------------------------------


def test_read_timeout_is_unknown(kind: str) -> None:
    with raw_server(hang) as port:
        attempt = _attempt(kind, port)
    assert (attempt.outcome, attempt.error) == (Outcome.UNKNOWN, "TimeoutError")


def test_read_timeout_over_tls_is_unknown(
    kind: str, server_tls: ssl.SSLContext, trust: TlsConfig
) -> None:
    with raw_server(hang, server_tls) as port:
        attempt = _attempt(kind, port, trust)
    assert (attempt.outcome, attempt.error) == (Outcome.UNKNOWN, "TimeoutError")


def test_reset_mid_reply_is_unknown(kind: str) -> None:
    with raw_server(reset_mid_reply) as port:
        attempt = _attempt(kind, port)
    assert attempt.outcome is Outcome.UNKNOWN
    assert attempt.error in {"ConnectionResetError", "RemoteDisconnected", "IncompleteRead"}
