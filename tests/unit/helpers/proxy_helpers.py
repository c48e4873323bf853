"""Socket and raw-HTTP helpers for the proxy tests."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hachaos.proxy.models import ProxyInfo

IO_TIMEOUT = 5.0


class Upstream:
    """A threaded loopback server running `handler(conn)` per connection."""

    def __init__(self, handler: Callable[[socket.socket], None]) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.address = f"127.0.0.1:{self.port}"
        self._handler = handler
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError):
            self._handler(conn)

    def close(self) -> None:
        self.sock.close()


def connect(info: ProxyInfo | int, timeout: float = IO_TIMEOUT) -> socket.socket:
    """A client socket to a proxy (or a port) with an I/O deadline."""
    port = info if isinstance(info, int) else info.port
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read exactly `size` bytes (ConnectionError if the peer closes first)."""
    parts, got = [], 0
    while got < size:
        data = sock.recv(size - got)
        if not data:
            raise ConnectionError(f"closed after {got} of {size} bytes")
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def recv_all(sock: socket.socket) -> bytes:
    """Read until the peer closes."""
    parts = []
    while data := sock.recv(65536):
        parts.append(data)
    return b"".join(parts)


def round_trip(sock: socket.socket, data: bytes = b"ping") -> bytes:
    sock.sendall(data)
    return recv_exactly(sock, len(data))


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    content_type: str


def call(
    base_url: str, method: str, path: str, body: object = None, raw: bytes | None = None
) -> Reply:
    """One raw API call: status, parsed JSON (or text) body."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(base_url + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=IO_TIMEOUT) as response:
            status, payload, ctype = (
                response.status,
                response.read(),
                response.headers.get("Content-Type", ""),
            )
    except urllib.error.HTTPError as exc:
        status, payload, ctype = exc.code, exc.read(), exc.headers.get("Content-Type", "")
    text = payload.decode()
    try:
        parsed: Any = json.loads(text) if text.strip() else None
    except ValueError:
        parsed = text
    return Reply(status, parsed, ctype)
