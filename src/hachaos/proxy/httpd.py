"""A minimal HTTP/1.1 server on asyncio streams (stdlib only): enough for a JSON API.

Keep-alive, Content-Length and chunked request bodies, `Expect: 100-continue`. One handler
coroutine maps a `Request` to a `Response`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import urlsplit

MAX_BODY = 16 * 1024 * 1024
MAX_HEADERS = 100


class BadRequest(Exception):
    """The bytes on the wire are not an HTTP request we can serve."""


@dataclass(frozen=True)
class Request:
    """One parsed request."""

    method: str
    path: str
    version: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def keep_alive(self) -> bool:
        """Whether the connection stays open after the response."""
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


@dataclass(frozen=True)
class Response:
    """One response; `content_type` None sends no body headers beyond the length."""

    status: int
    body: bytes = b""
    content_type: str | None = "application/json"
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self, *, keep_alive: bool) -> bytes:
        """The response bytes."""
        phrase = HTTPStatus(self.status).phrase if self.status in _STATUSES else ""
        lines = [f"HTTP/1.1 {self.status} {phrase}"]
        if self.content_type is not None:
            lines.append(f"Content-Type: {self.content_type}")
        if self.status != HTTPStatus.NO_CONTENT:
            lines.append(f"Content-Length: {len(self.body)}")
        lines.extend(f"{k}: {v}" for k, v in self.headers.items())
        lines.append("Connection: keep-alive" if keep_alive else "Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + self.body


_STATUSES = {s.value for s in HTTPStatus}

Handler = Callable[[Request], Awaitable[Response]]


async def read_request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> Request | None:
    """Read one request; None at a clean end of connection."""
    line = await reader.readline()
    if not line.strip():
        return None
    try:
        method, target, version = line.decode("latin-1").split()
    except ValueError:
        raise BadRequest(f"malformed request line {line[:80]!r}") from None
    headers = await _read_headers(reader)
    if headers.get("expect", "").lower() == "100-continue":
        writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    body = await _read_body(reader, headers)
    return Request(method.upper(), urlsplit(target).path, version.upper(), headers, body)


async def _read_headers(reader: asyncio.StreamReader) -> dict[str, str]:
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADERS):
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            return headers
        name, sep, value = line.decode("latin-1").partition(":")
        if not sep:
            raise BadRequest(f"malformed header {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    raise BadRequest("too many headers")


async def _read_body(reader: asyncio.StreamReader, headers: dict[str, str]) -> bytes:
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return await _read_chunked(reader)
    try:
        length = int(headers.get("content-length", "0"))
    except ValueError:
        raise BadRequest("bad Content-Length") from None
    if not 0 <= length <= MAX_BODY:
        raise BadRequest("body too large")
    return await reader.readexactly(length) if length else b""


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    total = 0
    while True:
        size_line = await reader.readline()
        try:
            size = int(size_line.split(b";")[0].strip() or b"x", 16)
        except ValueError:
            raise BadRequest("bad chunk size") from None
        if size == 0:
            await _read_headers(reader)  # trailers
            return b"".join(parts)
        total += size
        if total > MAX_BODY:
            raise BadRequest("body too large")
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


async def serve_connection(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, handler: Handler
) -> None:
    """Serve requests on one connection until it closes or asks to."""
    try:
        while True:
            try:
                request = await read_request(reader, writer)
            except (BadRequest, ValueError, asyncio.LimitOverrunError) as exc:
                body = f"400 Bad Request: {exc}".encode()
                writer.write(Response(400, body, "text/plain").encode(keep_alive=False))
                break
            if request is None:
                break
            response = await handler(request)
            writer.write(response.encode(keep_alive=request.keep_alive))
            await writer.drain()
            if not request.keep_alive:
                break
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(ConnectionError, RuntimeError):
            writer.close()
