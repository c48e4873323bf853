"""Loopback stand-ins for client and probe tests: servers run on a thread for the length of a
`with` block (`serving`, `http_server`, `status_server`), and ones failing at a known point of
an HTTP exchange: before the request is sent (refused, connect timeout) or after (no reply,
reset mid-reply)."""

from __future__ import annotations

import socket
import socketserver
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Reply = Callable[[socket.socket, threading.Event], None]


@contextmanager
def serving(server: socketserver.TCPServer, tls: ssl.SSLContext | None = None) -> Iterator[int]:
    """Run `server` on a daemon thread until the block ends (over TLS with `tls`: the
    handshake happens before any handler runs); yields its port."""
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def http_server(
    handler: Callable[..., BaseHTTPRequestHandler], tls: ssl.SSLContext | None = None
) -> AbstractContextManager[int]:
    """A loopback HTTP(S) server answering with `handler` (see `serving`); yields its port."""
    return serving(ThreadingHTTPServer(("127.0.0.1", 0), handler), tls)


class _Status(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self._reply(200 if self.path == "/ok" else 503)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self._reply(201)

    def _reply(self, code: int) -> None:
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def status_server(tls: ssl.SSLContext | None = None) -> AbstractContextManager[int]:
    """An HTTP(S) server answering only a status, no body: GET /ok 200, any other GET 503,
    every POST 201 (its body read); yields its port."""
    return http_server(_Status, tls)


def free_port() -> int:
    """A loopback port nothing listens on (connecting is refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def connect_timeout_port() -> Iterator[int]:
    """A listening port whose accept queue is full: the kernel drops further SYNs, so the next
    connect times out before anything could be sent."""
    with ExitStack() as held:
        listener = held.enter_context(socket.socket())
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        for _ in range(8):
            client = held.enter_context(socket.socket())
            client.settimeout(0.2)
            try:
                client.connect(("127.0.0.1", port))
            except TimeoutError:
                yield port
                return
        raise AssertionError("the accept queue never filled up")


def read_request(conn: socket.socket) -> bytes:
    """Read one HTTP request (headers and a Content-Length body); b"" if it never completes."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        body += chunk
    return data


def close_at_once(conn: socket.socket, stop: threading.Event) -> None:
    """Accept the connection and close it at once (like a proxy with no live backend)."""


def silent(conn: socket.socket, stop: threading.Event) -> None:
    """Accept the connection, read nothing and never answer (until the server stops)."""
    stop.wait()


def hang(conn: socket.socket, stop: threading.Event) -> None:
    """Read the request, then never answer (until the server stops)."""
    read_request(conn)
    stop.wait()


def reset_mid_reply(conn: socket.socket, stop: threading.Event) -> None:
    """Read the request, send the start of a 201, then reset the connection."""
    if read_request(conn):
        conn.sendall(b"HTTP/1.1 201 Created\r\nContent-Length: 100\r\n\r\n{")
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()  # with a zero linger: RST, not FIN


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        self.request.settimeout(5.0)
        with suppress(OSError):  # the client went away: nothing to answer
            self.server.reply(self.request, self.server.stop)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self, reply: Reply) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.reply = reply
        self.stop = threading.Event()


@contextmanager
def raw_server(reply: Reply, tls: ssl.SSLContext | None = None) -> Iterator[int]:
    """A loopback TCP server answering each connection with `reply` (over TLS with `tls`:
    the handshake happens before `reply` runs); yields its port."""
    server = _Server(reply)
    with serving(server, tls) as port:
        try:
            yield port
        finally:
            server.stop.set()  # before `serving` shuts it down: replies waiting on it return
