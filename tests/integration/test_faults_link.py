"""Link faults against the embedded Toxiproxy (run as `python -m hachaos.proxy`)."""

from __future__ import annotations

import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import pytest

from hachaos.faults.link import LinkFault
from hachaos.proxy.client import ToxiproxyClient
from hachaos.spec.faults import ToxicSpec

pytestmark = pytest.mark.integration


class Echo(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        while data := self.rfile.readline():
            self.wfile.write(data)


@pytest.fixture(scope="module")
def proxied() -> Iterator[tuple[ToxiproxyClient, int]]:
    """An echo server behind proxy `echo` of an embedded Toxiproxy; yields (client, port)."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Echo)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        api_port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "hachaos.proxy", "--port", str(api_port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and "listening" in proc.stdout.readline()
        client = ToxiproxyClient(f"http://127.0.0.1:{api_port}")
        info = client.create_proxy("echo", f"127.0.0.1:{server.server_address[1]}")
        yield client, int(info.listen.rsplit(":", 1)[1])
    finally:
        proc.terminate()
        proc.wait()
        server.shutdown()


def round_trip_s(port: int) -> float:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        t0 = time.monotonic()
        s.sendall(b"ping\n")
        assert s.makefile("rb").readline() == b"ping\n"
        return time.monotonic() - t0


def test_latency_toxic_holds_and_is_removed(proxied: tuple[ToxiproxyClient, int]) -> None:
    client, port = proxied
    toxic = ToxicSpec(type="latency", attributes={"latency": 300})
    with LinkFault(client, "echo", toxic, "hc-link") as fault:
        assert fault.effective, fault.efficacy_detail
        assert round_trip_s(port) >= 0.28
    assert client.toxics("echo") == []
    assert round_trip_s(port) < 0.1


def test_link_down_refuses_then_comes_back(proxied: tuple[ToxiproxyClient, int]) -> None:
    client, port = proxied
    with LinkFault(client, "echo", None, "hc-link") as fault:
        assert fault.effective, fault.efficacy_detail
        with pytest.raises(OSError):
            round_trip_s(port)
    assert round_trip_s(port) < 0.1


def test_missing_proxy_is_a_fault_error(proxied: tuple[ToxiproxyClient, int]) -> None:
    from hachaos.errors import FaultError

    client, _ = proxied
    fault = LinkFault(client, "nope", ToxicSpec(type="timeout"), "hc-link")
    with pytest.raises(FaultError, match="no proxy 'nope'"):
        fault.inject()
