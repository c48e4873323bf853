"""The HTTP API against Toxiproxy 2.x: endpoints, status codes, shapes, defaults, errors."""

from __future__ import annotations

import socket

import pytest
from proxy_helpers import call, connect

from hachaos.proxy.server import ServerThread

UPSTREAM = "127.0.0.1:9"  # nothing has to answer for API tests


def _create(url: str, name: str = "db", **extra: object) -> dict[str, object]:
    body = {"name": name, "upstream": UPSTREAM, "listen": "127.0.0.1:0", **extra}
    reply = call(url, "POST", "/proxies", body)
    assert reply.status == 201, reply
    return reply.body


def _toxic(url: str, body: dict[str, object], proxy: str = "db") -> dict[str, object]:
    reply = call(url, "POST", f"/proxies/{proxy}/toxics", body)
    assert reply.status == 200, reply
    return reply.body


def test_version(server: ServerThread) -> None:
    reply = call(server.url, "GET", "/version")
    assert reply.status == 200
    assert reply.body["version"].startswith("2.")


def test_create_proxy_shape_defaults_and_real_port(server: ServerThread) -> None:
    created = _create(server.url)
    assert list(created) == ["name", "listen", "upstream", "enabled", "toxics"]
    assert created["enabled"] is True and created["toxics"] == []
    host, port = str(created["listen"]).rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0
    with socket.create_connection((host, int(port)), timeout=2):
        pass  # really listening


def test_create_disabled_proxy_does_not_listen(server: ServerThread) -> None:
    created = _create(server.url, enabled=False)
    assert created["enabled"] is False
    assert call(server.url, "GET", "/proxies/db").body["enabled"] is False


def test_list_and_show(server: ServerThread) -> None:
    _create(server.url, "a")
    _create(server.url, "b")
    listed = call(server.url, "GET", "/proxies")
    assert listed.status == 200 and sorted(listed.body) == ["a", "b"]
    assert listed.body["a"]["name"] == "a" and listed.body["a"]["toxics"] == []
    assert call(server.url, "GET", "/proxies/b").body == listed.body["b"]


ERROR_CASES = [
    ("POST", "/proxies", {"upstream": UPSTREAM}, 400, "missing required field: name"),
    ("POST", "/proxies", {"name": "x"}, 400, "missing required field: upstream"),
    ("POST", "/proxies", "not json", 400, "bad request body"),
    ("POST", "/proxies", [1, 2], 400, "bad request body"),
    ("POST", "/proxies", {"name": 3, "upstream": UPSTREAM}, 400, "bad request body"),
    ("POST", "/proxies", {"name": "db", "upstream": UPSTREAM}, 409, "proxy already exists"),
    ("GET", "/proxies/nope", None, 404, "proxy not found"),
    ("POST", "/proxies/nope", {"enabled": False}, 404, "proxy not found"),
    ("PATCH", "/proxies/nope", {"enabled": False}, 404, "proxy not found"),
    ("DELETE", "/proxies/nope", None, 404, "proxy not found"),
    ("GET", "/proxies/nope/toxics", None, 404, "proxy not found"),
    ("POST", "/proxies/nope/toxics", {"type": "latency"}, 404, "proxy not found"),
    ("GET", "/proxies/db/toxics/nope", None, 404, "toxic not found"),
    ("POST", "/proxies/db/toxics/nope", {"toxicity": 1}, 404, "toxic not found"),
    ("DELETE", "/proxies/db/toxics/nope", None, 404, "toxic not found"),
    ("POST", "/proxies/db/toxics", {"type": "nope"}, 400, "invalid toxic type"),
    ("POST", "/proxies/db/toxics", {}, 400, "invalid toxic type"),
    (
        "POST",
        "/proxies/db/toxics",
        {"type": "latency", "stream": "sideways"},
        400,
        "stream was invalid, can be either upstream or downstream",
    ),
    (
        "POST",
        "/proxies/db/toxics",
        {"type": "latency", "attributes": {"latency": "slow"}},
        400,
        "bad request body",
    ),
    ("POST", "/proxies/db/toxics", "{", 400, "bad request body"),
    ("POST", "/populate", {"name": "x"}, 400, "bad request body"),
    ("POST", "/populate", [{"name": "x"}], 400, "missing required field: upstream at proxy 1"),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda c: f"{c[0]} {c[1]} {c[3]}")
def test_errors(server: ServerThread, case: tuple[str, str, object, int, str]) -> None:
    method, path, body, status, error = case
    _create(server.url)
    raw = body.encode() if isinstance(body, str) else None
    reply = call(server.url, method, path, None if raw else body, raw=raw)
    assert reply.status == status, reply
    assert reply.body["status"] == status
    assert reply.body["error"].startswith(error), reply.body


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nope", 404), ("PUT", "/proxies", 405), ("GET", "/reset", 405)],
)
def test_routing(server: ServerThread, method: str, path: str, status: int) -> None:
    assert call(server.url, method, path).status == status


def test_browsers_are_refused(server: ServerThread) -> None:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(server.url + "/proxies", headers={"User-Agent": "Mozilla/5"})
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=2)
    assert caught.value.code == 403


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_disable_closes_listener_and_enable_listens_again(
    server: ServerThread, method: str
) -> None:
    listen = str(_create(server.url)["listen"])
    port = int(listen.rsplit(":", 1)[1])
    disabled = call(server.url, method, "/proxies/db", {"enabled": False})
    assert disabled.status == 200 and disabled.body["enabled"] is False
    with pytest.raises(ConnectionRefusedError):
        connect(port)
    enabled = call(server.url, method, "/proxies/db", {"enabled": True})
    assert enabled.body["enabled"] is True and enabled.body["listen"] == listen
    connect(port).close()


def test_update_upstream_keeps_other_fields(server: ServerThread) -> None:
    created = _create(server.url)
    updated = call(server.url, "PATCH", "/proxies/db", {"upstream": "127.0.0.1:10"}).body
    assert updated["upstream"] == "127.0.0.1:10"
    assert updated["listen"] == created["listen"] and updated["enabled"] is True


def test_delete_proxy(server: ServerThread) -> None:
    port = int(str(_create(server.url)["listen"]).rsplit(":", 1)[1])
    reply = call(server.url, "DELETE", "/proxies/db")
    assert reply.status == 204 and reply.body is None
    assert call(server.url, "GET", "/proxies").body == {}
    with pytest.raises(ConnectionRefusedError):
        connect(port)


def test_port_in_use_on_create_is_500_with_bind_error(server: ServerThread) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        body = {"name": "db", "upstream": UPSTREAM, "listen": f"127.0.0.1:{port}"}
        reply = call(server.url, "POST", "/proxies", body)
    assert reply.status == 500
    assert reply.body == {
        "error": f"listen tcp 127.0.0.1:{port}: bind: address already in use",
        "status": 500,
    }
    assert call(server.url, "GET", "/proxies").body == {}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"type": "latency"},
            {
                "attributes": {"latency": 0, "jitter": 0},
                "name": "latency_downstream",
                "type": "latency",
                "stream": "downstream",
                "toxicity": 1.0,
            },
        ),
        (
            {"type": "bandwidth", "stream": "upstream", "attributes": {"rate": 5}},
            {
                "attributes": {"rate": 5},
                "name": "bandwidth_upstream",
                "type": "bandwidth",
                "stream": "upstream",
                "toxicity": 1.0,
            },
        ),
        (
            {"type": "slicer", "name": "s", "toxicity": 0.5, "attributes": {"average_size": 3}},
            {
                "attributes": {"average_size": 3, "size_variation": 0, "delay": 0},
                "name": "s",
                "type": "slicer",
                "stream": "downstream",
                "toxicity": 0.5,
            },
        ),
        ({"type": "slow_close"}, {"attributes": {"delay": 0}}),
        ({"type": "timeout"}, {"attributes": {"timeout": 0}}),
        ({"type": "reset_peer"}, {"attributes": {"timeout": 0}}),
        ({"type": "limit_data"}, {"attributes": {"bytes": 0}}),
        (
            {"type": "latency", "attributes": {"latency": 5, "unknown": 1}},
            {"name": "latency_downstream"},
        ),
    ],
)
def test_add_toxic_defaults_and_shape(
    server: ServerThread, body: dict[str, object], expected: dict[str, object]
) -> None:
    _create(server.url)
    created = _toxic(server.url, body)
    assert list(created) == ["attributes", "name", "type", "stream", "toxicity"]
    assert {k: created[k] for k in expected} == expected
    assert call(server.url, "GET", f"/proxies/db/toxics/{created['name']}").body == created
    assert call(server.url, "GET", "/proxies/db").body["toxics"] == [created]


def test_toxic_duplicates_conflict_across_streams(server: ServerThread) -> None:
    _create(server.url)
    _toxic(server.url, {"type": "latency", "name": "t"})
    reply = call(
        server.url,
        "POST",
        "/proxies/db/toxics",
        {"type": "timeout", "name": "t", "stream": "upstream"},
    )
    assert reply.status == 409 and reply.body == {"error": "toxic already exists", "status": 409}


def test_toxic_index_lists_upstream_first(server: ServerThread) -> None:
    _create(server.url)
    _toxic(server.url, {"type": "latency", "name": "down"})
    _toxic(server.url, {"type": "latency", "name": "up", "stream": "upstream"})
    names = [t["name"] for t in call(server.url, "GET", "/proxies/db/toxics").body]
    assert names == ["up", "down"]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_update_toxic_merges_attributes(server: ServerThread, method: str) -> None:
    _create(server.url)
    _toxic(server.url, {"type": "latency", "attributes": {"latency": 100, "jitter": 5}})
    body = {"attributes": {"latency": 7}, "toxicity": 0.25, "type": "ignored"}
    reply = call(server.url, method, "/proxies/db/toxics/latency_downstream", body)
    assert reply.status == 200
    assert reply.body["attributes"] == {"latency": 7, "jitter": 5}
    assert reply.body["toxicity"] == 0.25 and reply.body["type"] == "latency"


def test_delete_toxic(server: ServerThread) -> None:
    _create(server.url)
    _toxic(server.url, {"type": "latency"})
    reply = call(server.url, "DELETE", "/proxies/db/toxics/latency_downstream")
    assert reply.status == 204
    assert call(server.url, "GET", "/proxies/db/toxics").body == []


def test_populate_creates_keeps_and_replaces(server: ServerThread) -> None:
    first = call(
        server.url,
        "POST",
        "/populate",
        [
            {"name": "a", "upstream": UPSTREAM, "listen": "127.0.0.1:0"},
            {"name": "b", "upstream": UPSTREAM, "listen": "127.0.0.1:0", "enabled": False},
        ],
    )
    assert first.status == 201
    assert [p["name"] for p in first.body["proxies"]] == ["a", "b"]
    assert first.body["proxies"][1]["enabled"] is False
    listen_a = first.body["proxies"][0]["listen"]
    _toxic(server.url, {"type": "latency"}, proxy="a")
    again = call(
        server.url, "POST", "/populate", [{"name": "a", "upstream": UPSTREAM, "listen": listen_a}]
    )
    assert again.status == 201
    assert again.body["proxies"][0]["toxics"], "same address: the existing proxy is kept"
    moved = call(
        server.url,
        "POST",
        "/populate",
        [{"name": "a", "upstream": "127.0.0.1:10", "listen": listen_a}],
    )
    assert moved.body["proxies"][0]["upstream"] == "127.0.0.1:10"
    assert moved.body["proxies"][0]["toxics"] == [], "new address: replaced"


def test_populate_validates_everything_first(server: ServerThread) -> None:
    body = [{"name": "a", "upstream": UPSTREAM, "listen": "127.0.0.1:0"}, {"upstream": UPSTREAM}]
    reply = call(server.url, "POST", "/populate", body)
    assert reply.status == 400 and reply.body["error"] == "missing required field: name at proxy 2"
    assert call(server.url, "GET", "/proxies").body == {}


def test_populate_port_in_use_reports_error_and_done_proxies(server: ServerThread) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        body = [
            {"name": "a", "upstream": UPSTREAM, "listen": "127.0.0.1:0"},
            {"name": "b", "upstream": UPSTREAM, "listen": f"127.0.0.1:{port}"},
        ]
        reply = call(server.url, "POST", "/populate", body)
    assert reply.status == 500
    assert reply.body["status"] == 500 and "address already in use" in reply.body["error"]
    assert [p["name"] for p in reply.body["proxies"]] == ["a"]


def test_reset_enables_proxies_and_removes_toxics(server: ServerThread) -> None:
    _create(server.url)
    _toxic(server.url, {"type": "latency"})
    call(server.url, "POST", "/proxies/db", {"enabled": False})
    reply = call(server.url, "POST", "/reset")
    assert reply.status == 204
    shown = call(server.url, "GET", "/proxies/db").body
    assert shown["enabled"] is True and shown["toxics"] == []


def test_keep_alive_serves_several_requests_on_one_connection(server: ServerThread) -> None:
    import http.client

    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=2)
    for _ in range(3):
        conn.request("GET", "/version")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
    body = [b'{"name":"k","upstream":"127.0.0.1:9",', b'"listen":"127.0.0.1:0"}']
    conn.request("POST", "/proxies", body=iter(body), encode_chunked=True)
    assert conn.getresponse().status == 201, "chunked request body"
    conn.close()
