"""Fixtures for the Toxiproxy layer: an embedded server, a client, loopback upstreams."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from proxy_helpers import Upstream

from hachaos.proxy.client import ToxiproxyClient
from hachaos.proxy.models import ProxyInfo
from hachaos.proxy.server import ServerThread


@pytest.fixture
def server() -> Iterator[ServerThread]:
    with ServerThread() as running:
        yield running


@pytest.fixture
def client(server: ServerThread) -> ToxiproxyClient:
    return ToxiproxyClient(server.url)


def _echo(conn: socket.socket) -> None:
    while data := conn.recv(65536):
        conn.sendall(data)


def _greet_and_close(conn: socket.socket) -> None:
    conn.sendall(b"bye")


def _count_until_eof(conn: socket.socket) -> None:
    total = 0
    while data := conn.recv(65536):
        total += len(data)
    conn.sendall(str(total).encode())


@pytest.fixture
def echo() -> Iterator[Upstream]:
    upstream = Upstream(_echo)
    yield upstream
    upstream.close()


@pytest.fixture
def closer() -> Iterator[Upstream]:
    """Sends b"bye" and closes."""
    upstream = Upstream(_greet_and_close)
    yield upstream
    upstream.close()


@pytest.fixture
def counter() -> Iterator[Upstream]:
    """Counts bytes until EOF, answers with the count."""
    upstream = Upstream(_count_until_eof)
    yield upstream
    upstream.close()


@pytest.fixture
def proxy(client: ToxiproxyClient, echo: Upstream) -> ProxyInfo:
    return client.create_proxy("echo", echo.address)
