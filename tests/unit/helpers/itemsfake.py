"""A loopback server speaking the items API, with switchable failure modes (probe tests)."""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from netfakes import serving


@dataclass
class ItemsState:
    """What the fake stores and how it misbehaves: `mode` is ok, maintenance, replication,
    no-quorum, unavailable, lb-503 (no node header), bad-gateway, wrong-key or hang-up."""

    node: str = "ap-1"
    mode: str = "ok"
    items: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _send(self, code: int, body: object, node: str | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if node is not None:
            self.send_header("X-Hachaos-Node", node)
        self.end_headers()
        self.wfile.write(data)

    def _refused(self) -> bool:
        st = self.server.state
        if st.mode in ("maintenance", "replication", "no-quorum", "unavailable"):
            self._send(503, {"error": st.mode, "status": st.mode}, st.node)
        elif st.mode == "lb-503":
            self._send(503, {"error": "no server"})
        elif st.mode == "bad-gateway":
            self._send(502, {"error": "bad gateway"})
        elif st.mode == "hang-up":
            self.close_connection = True
            self.connection.close()
        else:
            return False
        return True

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self._refused():
            return
        st = self.server.state
        with st.lock:
            if body["key"] in st.items:
                self._send(409, {"error": "exists", "status": "conflict"}, st.node)
                return
            st.items[body["key"]] = body["value"]
        key = "another" if st.mode == "wrong-key" else body["key"]
        self._send(201, {"key": key, "node": st.node}, st.node)

    def do_GET(self) -> None:
        if self._refused():
            return
        st = self.server.state
        url = urlsplit(self.path)
        if url.path == "/items":
            prefix = parse_qs(url.query).get("prefix", [""])[0]
            self._send(200, {"keys": [k for k in st.items if k.startswith(prefix)]}, st.node)
            return
        key = unquote(url.path.removeprefix("/items/"))
        if key not in st.items:
            self._send(404, {"error": "not found"}, st.node)
            return
        self._send(200, {"key": key, "value": st.items[key], "node": st.node}, st.node)

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: ItemsState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def items_server(state: ItemsState, tls: ssl.SSLContext | None = None) -> Iterator[tuple[str, int]]:
    """Serve `state` on an ephemeral loopback port (HTTPS with `tls`); yields (host, port)."""
    with serving(_Server(state), tls) as port:
        yield "127.0.0.1", port
