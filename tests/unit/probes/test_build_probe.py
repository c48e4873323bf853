"""The build probe against a loopback platform stand-in: ok only on 201, the request id as
the key and the build id as the value; the platform's errors fail, the balancer's 502 and 504
(forwarded, no answer) are unknown. A request without a reply: test_http_no_reply.py."""

from __future__ import annotations

import json
import ssl
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from netfakes import http_server

from hachaos.clients.http import JsonHttpClient, TlsConfig
from hachaos.history import Outcome
from hachaos.probes.build import BuildProbe
from hachaos.spec.models import TlsSpec
from hachaos.tls.run_files import write_run_tls


class _Platform(BaseHTTPRequestHandler):
    """Accepts attempt 0 (201 with a build id); attempt N answers status N."""

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        rid = body["request_id"]
        seq = int(rid.rsplit(":", 1)[1])
        code, reply = (201, {"id": f"build-{rid}"}) if seq == 0 else (seq, {})
        data = json.dumps(reply).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def platform_port() -> Iterator[int]:
    with http_server(_Platform) as port:
        yield port


def _probe(port: int, prefix: str = "p") -> BuildProbe:
    return BuildProbe(JsonHttpClient(lambda: ("127.0.0.1", port), 1.0), prefix)


def test_201_is_ok_with_request_id_and_build_id(platform_port: int) -> None:
    a = _probe(platform_port, "hachaos:run:build").attempt(0)
    assert (a.outcome, a.key, a.value) == (
        Outcome.OK,
        "hachaos:run:build:0",
        "build-hachaos:run:build:0",
    )


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (503, Outcome.FAIL),
        (409, Outcome.FAIL),
        (500, Outcome.FAIL),
        (502, Outcome.UNKNOWN),
        (504, Outcome.UNKNOWN),
    ],
)
def test_error_statuses(platform_port: int, status: int, outcome: Outcome) -> None:
    a = _probe(platform_port).attempt(status)
    assert (a.outcome, a.error, a.key, a.value) == (
        outcome,
        f"HTTP {status}",
        f"p:{status}",
        str(status),
    )


def test_over_tls_verified_against_the_runs_ca(tmp_path: Path) -> None:
    run = write_run_tls(TlsSpec(nodes=("lb",), names=("lb", "localhost")), "hc-9", tmp_path)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(run.directory / "server.pem")
    with http_server(_Platform, server_tls) as port:
        client = JsonHttpClient(
            lambda: ("127.0.0.1", port), 1.0, TlsConfig(run.ca_path.read_text())
        )
        a = BuildProbe(client, "p").attempt(0)
        assert (a.outcome, a.value) == (Outcome.OK, "build-p:0")
