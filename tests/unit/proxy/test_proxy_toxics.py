"""Each toxic's effect on real bytes and timing, through loopback upstreams."""

from __future__ import annotations

import contextlib
import os
import socket
import time

import pytest
from proxy_helpers import Upstream, connect, recv_all, recv_exactly, round_trip

from hachaos.clock import wait_until
from hachaos.proxy.client import ToxiproxyClient
from hachaos.proxy.models import ProxyInfo
from hachaos.proxy.server import ServerThread


def _elapsed(fn: object, *args: object) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args)  # type: ignore[operator]
    return time.perf_counter() - start, result


def test_bytes_pass_unchanged_without_toxics(proxy: ProxyInfo) -> None:
    payload = os.urandom(1 << 20)
    with connect(proxy) as sock:
        assert round_trip(sock, b"hello") == b"hello"
        assert round_trip(sock, payload) == payload


def test_half_close_is_passed_on(client: ToxiproxyClient, counter: Upstream) -> None:
    info = client.create_proxy("count", counter.address)
    with connect(info) as sock:
        sock.sendall(b"x" * 100_000)
        sock.shutdown(socket.SHUT_WR)
        assert recv_all(sock) == b"100000"


def test_unreachable_upstream_closes_the_client(client: ToxiproxyClient) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        dead = f"127.0.0.1:{probe.getsockname()[1]}"
    info = client.create_proxy("dead", dead)
    with connect(info) as sock, contextlib.suppress(ConnectionResetError):
        assert sock.recv(10) == b""


@pytest.mark.parametrize("stream", ["downstream", "upstream"])
def test_latency_adds_delay_to_live_connection_and_removal_restores(
    client: ToxiproxyClient, proxy: ProxyInfo, stream: str
) -> None:
    with connect(proxy) as sock:
        round_trip(sock)
        with client.toxic(proxy.name, "latency", stream=stream, latency=120):
            slow, echoed = _elapsed(round_trip, sock)
        fast, _ = _elapsed(round_trip, sock)
    assert echoed == b"ping"
    assert slow >= 0.12
    assert fast < slow


def test_latency_both_ways_adds_up(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "latency", stream="upstream", latency=60)
    client.add_toxic(proxy.name, "latency", stream="downstream", latency=60)
    with connect(proxy) as sock:
        slow, _ = _elapsed(round_trip, sock)
    assert slow >= 0.12


def test_latency_jitter_stays_in_bounds(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "latency", latency=60, jitter=30)
    with connect(proxy) as sock:
        delays = [_elapsed(round_trip, sock)[0] for _ in range(5)]
    # lower bound is the toxic's promise; the upper one only catches gross errors (CI load)
    assert all(0.03 <= d < 1.0 for d in delays), delays


def test_latency_removal_releases_data_in_flight(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "latency", latency=10_000)
    with connect(proxy) as sock:
        sock.sendall(b"held")
        start = time.perf_counter()
        client.remove_toxic(proxy.name, "latency_downstream")
        assert recv_exactly(sock, 4) == b"held"
    assert time.perf_counter() - start < 1.0


def test_bandwidth_limits_rate(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "bandwidth", rate=200)  # 200 KB/s = 200,000 B/s
    payload = os.urandom(100_000)
    with connect(proxy) as sock:
        sock.sendall(payload)
        took, echoed = _elapsed(recv_exactly, sock, len(payload))
    assert echoed == payload
    assert 0.4 <= took < 2.0, took


def test_slow_close_delays_the_close(client: ToxiproxyClient, closer: Upstream) -> None:
    info = client.create_proxy("closer", closer.address)
    client.add_toxic(info.name, "slow_close", delay=300)
    start = time.perf_counter()
    with connect(info) as sock:
        assert recv_exactly(sock, 3) == b"bye"
        assert sock.recv(10) == b""
    assert time.perf_counter() - start >= 0.3


def test_timeout_stalls_then_closes(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    with connect(proxy) as sock:
        round_trip(sock)
        client.add_toxic(proxy.name, "timeout", timeout=300)
        start = time.perf_counter()
        sock.sendall(b"lost")
        assert recv_all(sock) == b"", "data is dropped, then the connection closes"
    assert time.perf_counter() - start >= 0.25


def test_timeout_zero_stalls_forever_until_removed(
    client: ToxiproxyClient, proxy: ProxyInfo
) -> None:
    client.add_toxic(proxy.name, "timeout", timeout=0)
    with connect(proxy, timeout=0.3) as sock:
        sock.sendall(b"lost")
        with pytest.raises(TimeoutError):
            sock.recv(10)
        client.remove_toxic(proxy.name, "timeout_downstream")
        sock.settimeout(5)
        assert recv_all(sock) == b"", "removing a timeout closes the stalled connection"


def test_reset_peer_gives_econnreset(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "reset_peer", timeout=50)
    with connect(proxy) as sock:
        sock.sendall(b"boom")
        with pytest.raises(ConnectionResetError):
            while sock.recv(10):
                pass


def test_slicer_splits_writes(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "slicer", average_size=10, size_variation=2, delay=5_000)
    payload = os.urandom(100)
    with connect(proxy) as sock:
        sock.sendall(payload)
        pieces: list[bytes] = []
        while sum(map(len, pieces)) < len(payload):
            pieces.append(sock.recv(1000))
    assert b"".join(pieces) == payload
    assert len(pieces) >= 5, [len(p) for p in pieces]
    assert max(map(len, pieces)) <= 24, [len(p) for p in pieces]


def test_limit_data_closes_after_n_bytes(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "limit_data", bytes=100)
    payload = os.urandom(150)
    with connect(proxy) as sock:
        sock.sendall(payload)
        assert recv_all(sock) == payload[:100]


def test_down_refuses_and_drops_connections(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    with connect(proxy) as sock:
        round_trip(sock)
        with client.down(proxy.name):
            with contextlib.suppress(ConnectionResetError):
                assert sock.recv(10) == b""
            with pytest.raises(ConnectionRefusedError):
                connect(proxy)
    with connect(proxy) as again:
        assert round_trip(again) == b"ping"


def test_toxicity_zero_never_applies(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "latency", latency=500, toxicity=0.0)
    for _ in range(5):
        with connect(proxy) as sock:
            took, _ = _elapsed(round_trip, sock)
        assert took < 0.25


def test_toxicity_update_applies_to_live_connection(
    client: ToxiproxyClient, proxy: ProxyInfo
) -> None:
    client.add_toxic(proxy.name, "latency", latency=150)
    with connect(proxy) as sock:
        assert _elapsed(round_trip, sock)[0] >= 0.15
        client.update_toxic(proxy.name, "latency_downstream", toxicity=0.0)
        assert _elapsed(round_trip, sock)[0] < 0.1
        client.update_toxic(proxy.name, "latency_downstream", toxicity=1.0, latency=200)
        assert _elapsed(round_trip, sock)[0] >= 0.2


def test_toxics_apply_to_new_connections(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    client.add_toxic(proxy.name, "latency", latency=100)
    with connect(proxy) as sock:
        assert _elapsed(round_trip, sock)[0] >= 0.1


def _live_connections(server: ServerThread) -> int:
    async def count() -> int:
        return sum(len(p.listener.connections) for p in server.server.proxies if p.listener)

    return int(server.call(count))


@pytest.mark.parametrize("toxic", [None, "latency"])
def test_closed_connections_are_released(
    server: ServerThread, client: ToxiproxyClient, proxy: ProxyInfo, toxic: str | None
) -> None:
    if toxic:
        client.add_toxic(proxy.name, toxic, latency=1)
    for _ in range(20):
        with connect(proxy) as sock:
            assert round_trip(sock) == b"ping"
    with connect(proxy) as sock:
        sock.sendall(b"x")
        sock.shutdown(socket.SHUT_WR)
        assert recv_all(sock) == b"x"
    wait_until(
        lambda: _live_connections(server),
        lambda n: n == 0,
        what="proxied connections released",
        timeout_s=5,
        interval_s=0.01,
    )
