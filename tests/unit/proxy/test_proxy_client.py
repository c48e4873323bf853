"""The typed client and the third-party `toxiproxy-python` client against the embedded server."""

from __future__ import annotations

import pytest
import toxiproxy
from proxy_helpers import Upstream, connect, round_trip
from toxiproxy.api import APIConsumer

from hachaos.errors import HachaosError, InfraError
from hachaos.proxy.client import (
    Conflict,
    InvalidRequest,
    NotFound,
    ToxiproxyClient,
    ToxiproxyError,
    ToxiproxyUnavailable,
)
from hachaos.proxy.models import ProxyInfo, ToxicInfo
from hachaos.proxy.server import ServerThread


def test_proxy_lifecycle(client: ToxiproxyClient, echo: Upstream) -> None:
    created = client.create_proxy("db", echo.address)
    assert isinstance(created, ProxyInfo) and created.enabled and created.port > 0
    assert client.get_proxy("db") == created
    assert client.proxies() == {"db": created}
    assert client.disable("db").enabled is False
    assert client.enable("db").listen == created.listen
    moved = client.update_proxy("db", upstream="127.0.0.1:9")
    assert moved.upstream == "127.0.0.1:9" and moved.listen == created.listen
    client.delete_proxy("db")
    assert client.proxies() == {}
    client.delete_proxy("db", missing_ok=True)


def test_toxic_lifecycle(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    added = client.add_toxic(proxy.name, "latency", latency=10, jitter=2)
    assert added == ToxicInfo(
        "latency_downstream", "latency", "downstream", 1.0, {"latency": 10, "jitter": 2}
    )
    assert client.get_toxic(proxy.name, added.name) == added
    assert client.toxics(proxy.name) == [added]
    assert client.get_proxy(proxy.name).toxics == (added,)
    updated = client.update_toxic(proxy.name, added.name, toxicity=0.5, latency=20)
    assert updated.attributes == {"latency": 20, "jitter": 2} and updated.toxicity == 0.5
    client.remove_toxic(proxy.name, added.name)
    assert client.toxics(proxy.name) == []


def test_populate_and_reset(client: ToxiproxyClient, echo: Upstream) -> None:
    made = client.populate(
        [
            {"name": "a", "upstream": echo.address, "listen": "127.0.0.1:0"},
            ProxyInfo("b", "127.0.0.1:0", echo.address, enabled=False),
        ]
    )
    assert [p.name for p in made] == ["a", "b"] and not made[1].enabled
    client.add_toxic("a", "timeout")
    client.reset()
    assert all(p.enabled and not p.toxics for p in client.proxies().values())


@pytest.mark.parametrize(
    ("action", "error", "status"),
    [
        (lambda c: c.get_proxy("nope"), NotFound, 404),
        (lambda c: c.create_proxy("echo", "127.0.0.1:9"), Conflict, 409),
        (lambda c: c.add_toxic("echo", "nope"), InvalidRequest, 400),
        (lambda c: c.add_toxic("echo", "latency", stream="sideways"), InvalidRequest, 400),
        (lambda c: c.remove_toxic("echo", "nope"), NotFound, 404),
    ],
)
def test_errors_map_to_one_root(
    client: ToxiproxyClient, proxy: ProxyInfo, action: object, error: type, status: int
) -> None:
    with pytest.raises(error) as caught:
        action(client)  # type: ignore[operator]
    assert isinstance(caught.value, ToxiproxyError) and isinstance(caught.value, HachaosError)
    assert caught.value.status == status and caught.value.message
    assert "\n" not in str(caught.value)


def test_unavailable_names_url_and_hint() -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as probe:
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    with pytest.raises(ToxiproxyUnavailable) as caught:
        ToxiproxyClient(url).proxies()
    assert isinstance(caught.value, InfraError)
    assert url in str(caught.value) and "hachaos proxy serve" in str(caught.value)


def test_toxic_context_manager_always_removes(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    with pytest.raises(RuntimeError), client.toxic(proxy.name, "latency", latency=1) as scope:
        assert client.toxics(proxy.name) == [scope.info]
        raise RuntimeError("fault body failed")
    assert client.toxics(proxy.name) == []


def test_toxic_context_manager_is_idempotent(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    with client.toxic(proxy.name, "timeout", stream="upstream", name="t", timeout=5) as scope:
        assert scope.info.stream == "upstream"
        assert scope.update(timeout=9).attributes == {"timeout": 9}
        client.remove_toxic(proxy.name, "t")  # someone else removed it already
    scope.remove()
    with client.toxic(proxy.name, "latency"):
        client.delete_proxy(proxy.name)  # even the proxy is gone


def test_down_context_manager(client: ToxiproxyClient, proxy: ProxyInfo) -> None:
    with client.down(proxy.name) as info:
        assert info.enabled is False
    with connect(proxy) as sock:
        assert round_trip(sock) == b"ping"


@pytest.fixture
def toxiproxy_python(server: ServerThread) -> toxiproxy.Toxiproxy:
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    saved = (APIConsumer.host, APIConsumer.port)
    server_api = toxiproxy.Toxiproxy()
    server_api.update_api_consumer(host, int(port))
    yield server_api
    APIConsumer.host, APIConsumer.port = saved


def test_toxiproxy_python_drives_the_embedded_server(
    toxiproxy_python: toxiproxy.Toxiproxy, echo: Upstream
) -> None:
    tp = toxiproxy_python
    assert tp.running()
    assert b"2." in tp.version()
    proxy = tp.create(upstream=echo.address, name="echo")
    assert proxy.enabled is True and proxy.listen.startswith("127.0.0.1:")
    proxy.add_toxic(type="latency", attributes={"latency": 5})
    proxy.add_toxic(
        type="bandwidth", stream="upstream", name="bw", toxicity=0.5, attributes={"rate": 9}
    )
    toxics = proxy.toxics()
    assert sorted(toxics) == ["bw", "latency_downstream"]
    assert toxics["bw"].attributes == {"rate": 9} and toxics["bw"].toxicity == 0.5
    assert proxy.get_toxic("latency_downstream").stream == "downstream"
    assert proxy.destroy_toxic("bw")
    port = int(proxy.listen.rsplit(":", 1)[1])
    with proxy.down():
        assert tp.get_proxy("echo").enabled is False
        with pytest.raises(ConnectionRefusedError):
            connect(port)
    with connect(port) as sock:
        assert round_trip(sock) == b"ping"


def test_toxiproxy_python_populate_reset_destroy(
    toxiproxy_python: toxiproxy.Toxiproxy, echo: Upstream
) -> None:
    tp = toxiproxy_python
    made = tp.populate(
        [
            {"name": "a", "upstream": echo.address, "listen": "127.0.0.1:0"},
            {"name": "b", "upstream": echo.address, "listen": "127.0.0.1:0"},
        ]
    )
    assert sorted(p.name for p in made) == ["a", "b"]
    tp.get_proxy("a").add_toxic(type="timeout")
    assert tp.reset()
    assert tp.get_proxy("a").toxics() == {}
    tp.destroy_all()
    assert tp.proxies() == {}


def test_toxiproxy_python_errors(toxiproxy_python: toxiproxy.Toxiproxy, echo: Upstream) -> None:
    from toxiproxy.exceptions import InvalidToxic, ProxyExists
    from toxiproxy.exceptions import NotFound as TPNotFound

    proxy = toxiproxy_python.create(upstream=echo.address, name="x")
    with pytest.raises(ProxyExists):
        toxiproxy_python.create(upstream=echo.address, name="x")
    with pytest.raises(InvalidToxic):
        proxy.add_toxic(type="nope")
    with pytest.raises(TPNotFound):
        proxy.destroy_toxic("nope")
