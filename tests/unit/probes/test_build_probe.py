"""The build probe against a loopback platform stand-in: ok only on 201, the request id as
the key and the build id as the value; errors fail, a server that never answers is unknown."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hachaos.history import Outcome
from hachaos.probes.build import BuildProbe


class _Platform(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        rid = body["request_id"]
        self.seen.append(rid)
        code, reply = (201, {"id": f"build-{rid}"}) if rid.endswith(":0") else (503, {})
        data = json.dumps(reply).encode()
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def platform_port() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Platform)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_201_is_ok_with_request_id_and_build_id(platform_port: int) -> None:
    a = BuildProbe("127.0.0.1", platform_port, "hachaos:run:build", 1.0).attempt(0)
    assert (a.outcome, a.key, a.value) == (
        Outcome.OK,
        "hachaos:run:build:0",
        "build-hachaos:run:build:0",
    )


def test_an_error_status_fails(platform_port: int) -> None:
    a = BuildProbe("127.0.0.1", platform_port, "p", 1.0).attempt(1)
    assert (a.outcome, a.error, a.key) == (Outcome.FAIL, "HTTP 503", "p:1")


def test_refused_fails_and_silence_is_unknown() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert BuildProbe("127.0.0.1", port, "p", 0.5).attempt(0).outcome is Outcome.FAIL
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        a = BuildProbe("127.0.0.1", silent.getsockname()[1], "p", 0.2).attempt(0)
    assert (a.outcome, a.error) == (Outcome.UNKNOWN, "TimeoutError")
