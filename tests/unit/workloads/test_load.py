"""HTTP load via locust as a library, against a tiny stdlib server on 127.0.0.1."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hachaos.clock import wait_until
from hachaos.history import History, Outcome
from hachaos.workloads.load import LOAD_PROCESS, HttpLoad, classify


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        code = 200 if self.path == "/ok" else 500
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"hi")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def base_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _load_ops(history: History) -> list[object]:
    return [op for op in history.ops if op.process == LOAD_PROCESS]


def test_requests_become_ops_without_monkey_patching(base_url: str) -> None:
    history = History()
    with HttpLoad(history, base_url, "/ok", users=3, wait_s=0.01):
        wait_until(
            lambda: len(_load_ops(history)), lambda n: n >= 30, what="30 requests", timeout_s=20
        )
    ops = history.ops
    assert all(op.outcome is Outcome.OK and op.value == "200" for op in ops)
    assert all(op.end_ns >= op.start_ns for op in ops)
    import socket

    from gevent import monkey

    assert not monkey.is_module_patched("socket")
    assert socket.socket.__module__ == "socket"
    assert "locust" in sys.modules


def test_error_status_is_fail(base_url: str) -> None:
    history = History()
    with HttpLoad(history, base_url, "/broken", users=1, wait_s=0.01):
        wait_until(lambda: len(history.ops), lambda n: n >= 3, what="3 requests", timeout_s=20)
    assert {op.outcome for op in history.ops} == {Outcome.FAIL}


def test_classify() -> None:
    assert classify(None, 200) is Outcome.OK
    assert classify(RuntimeError("500"), 500) is Outcome.FAIL
    assert classify(ConnectionRefusedError(), 0) is Outcome.FAIL
    assert classify(TimeoutError(), 0) is Outcome.UNKNOWN
