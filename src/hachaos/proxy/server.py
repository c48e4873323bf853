"""The embedded Toxiproxy: the Toxiproxy 2.x HTTP API over the proxies in `state` (stdlib only).

`ToxiproxyServer` runs on an asyncio loop (`python -m hachaos.proxy`, `hachaos proxy serve`);
`ServerThread` runs one on its own loop in a daemon thread for in-process use (tests, fixtures).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
import threading
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from hachaos.errors import HachaosError, PortInUse
from hachaos.proxy.httpd import Request, Response, serve_connection
from hachaos.proxy.models import TOXIPROXY_VERSION, join_hostport
from hachaos.proxy.state import BAD_REQUEST_BODY, ApiError, ProxyCollection, toxic_info

Params = dict[str, str]
Route = Callable[["ToxiproxyApi", Request, Params], Awaitable[Response]]


def _json(data: Any, status: int = 200) -> Response:
    return Response(status, json.dumps(data, separators=(",", ":")).encode())


def _error(error: ApiError) -> Response:
    return _json({"error": error.message, "status": error.status}, error.status)


def _body(request: Request) -> object:
    if not request.body.strip():
        raise BAD_REQUEST_BODY.joined("EOF")
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BAD_REQUEST_BODY.joined(str(exc)) from None


NO_CONTENT = Response(204, content_type=None)


class ToxiproxyApi:
    """Request → response for every Toxiproxy endpoint."""

    def __init__(self, proxies: ProxyCollection) -> None:
        self.proxies = proxies
        self._lock = asyncio.Lock()

    async def __call__(self, request: Request) -> Response:
        """Route one request; API errors become `{"error", "status"}` bodies."""
        if request.headers.get("user-agent", "").startswith("Mozilla/"):
            return Response(403, b"User agent not allowed\n", "text/plain; charset=utf-8")
        route, params, path_matched = _match(request.method, request.path)
        if route is None:
            if path_matched:
                return Response(405, content_type=None)
            return Response(404, b"404 page not found\n", "text/plain; charset=utf-8")
        try:
            async with self._lock:  # one change at a time, as Toxiproxy's collection mutex
                return await route(self, request, params)
        except ApiError as exc:
            return _error(exc)

    async def version(self, request: Request, params: Params) -> Response:
        """GET /version."""
        body = f'{{"version": "{TOXIPROXY_VERSION}"}}\n'.encode()
        return Response(200, body, "application/json;charset=utf-8")

    async def reset(self, request: Request, params: Params) -> Response:
        """POST /reset."""
        await self.proxies.reset()
        return NO_CONTENT

    async def proxy_index(self, request: Request, params: Params) -> Response:
        """GET /proxies."""
        return _json({p.name: p.info().to_json() for p in self.proxies})

    async def proxy_create(self, request: Request, params: Params) -> Response:
        """POST /proxies."""
        proxy = await self.proxies.create(_body(request))
        return _json(proxy.info().to_json(), 201)

    async def populate(self, request: Request, params: Params) -> Response:
        """POST /populate."""
        done, error = await self.proxies.populate(_body(request))
        listed = [p.info().to_json() for p in done]
        if error is None:
            return _json({"proxies": listed}, 201)
        body = {"error": error.message, "status": error.status, "proxies": listed}
        return _json(body, error.status)

    async def proxy_show(self, request: Request, params: Params) -> Response:
        """GET /proxies/{proxy}."""
        return _json(self.proxies.get(params["proxy"]).info().to_json())

    async def proxy_update(self, request: Request, params: Params) -> Response:
        """POST/PATCH /proxies/{proxy}."""
        proxy = await self.proxies.update(params["proxy"], _body(request))
        return _json(proxy.info().to_json())

    async def proxy_delete(self, request: Request, params: Params) -> Response:
        """DELETE /proxies/{proxy}."""
        self.proxies.remove(params["proxy"])
        return NO_CONTENT

    async def toxic_index(self, request: Request, params: Params) -> Response:
        """GET /proxies/{proxy}/toxics."""
        proxy = self.proxies.get(params["proxy"])
        return _json([toxic_info(t).to_json() for t in proxy.toxics])

    async def toxic_create(self, request: Request, params: Params) -> Response:
        """POST /proxies/{proxy}/toxics (200, as Toxiproxy)."""
        proxy = self.proxies.get(params["proxy"])
        return _json(toxic_info(proxy.toxics.add(_body(request))).to_json())

    async def toxic_show(self, request: Request, params: Params) -> Response:
        """GET /proxies/{proxy}/toxics/{toxic}."""
        proxy = self.proxies.get(params["proxy"])
        return _json(toxic_info(proxy.toxics.get(params["toxic"])).to_json())

    async def toxic_update(self, request: Request, params: Params) -> Response:
        """POST/PATCH /proxies/{proxy}/toxics/{toxic}."""
        toxics = self.proxies.get(params["proxy"]).toxics
        return _json(toxic_info(toxics.update(params["toxic"], _body(request))).to_json())

    async def toxic_delete(self, request: Request, params: Params) -> Response:
        """DELETE /proxies/{proxy}/toxics/{toxic}."""
        self.proxies.get(params["proxy"]).toxics.remove(params["toxic"])
        return NO_CONTENT


_A = ToxiproxyApi
_ROUTES: list[tuple[re.Pattern[str], dict[str, Route]]] = [
    (re.compile(r"/version"), {"GET": _A.version}),
    (re.compile(r"/reset"), {"POST": _A.reset}),
    (re.compile(r"/populate"), {"POST": _A.populate}),
    (re.compile(r"/proxies"), {"GET": _A.proxy_index, "POST": _A.proxy_create}),
    (
        re.compile(r"/proxies/(?P<proxy>[^/]+)"),
        {
            "GET": _A.proxy_show,
            "POST": _A.proxy_update,
            "PATCH": _A.proxy_update,
            "DELETE": _A.proxy_delete,
        },
    ),
    (
        re.compile(r"/proxies/(?P<proxy>[^/]+)/toxics"),
        {"GET": _A.toxic_index, "POST": _A.toxic_create},
    ),
    (
        re.compile(r"/proxies/(?P<proxy>[^/]+)/toxics/(?P<toxic>[^/]+)"),
        {
            "GET": _A.toxic_show,
            "POST": _A.toxic_update,
            "PATCH": _A.toxic_update,
            "DELETE": _A.toxic_delete,
        },
    ),
]


def _match(method: str, path: str) -> tuple[Route | None, Params, bool]:
    for pattern, methods in _ROUTES:
        found = pattern.fullmatch(path)
        if found:
            params = {k: unquote(v) for k, v in found.groupdict().items()}
            return methods.get(method), params, True
    return None, {}, False


class ToxiproxyServer:
    """The API server plus its proxies, on the running event loop."""

    def __init__(self, host: str = "127.0.0.1", port: int = 8474) -> None:
        self.host, self.port = host, port
        self.proxies = ProxyCollection()
        self.api = ToxiproxyApi(self.proxies)
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        """Base URL of the API (after `start`, with the real port)."""
        host = "127.0.0.1" if self.host in ("", "0.0.0.0") else self.host
        return f"http://{join_hostport(host, self.port)}"

    async def start(self) -> None:
        """Listen for API requests; a taken port is `PortInUse` with a hint."""
        sock = _bind_api(self.host, self.port)
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(
            lambda r, w: serve_connection(r, w, self.api), sock=sock
        )

    async def populate(self, config: Path) -> int:
        """Create proxies from a JSON file as for POST /populate; returns how many."""
        try:
            raw = json.loads(config.read_text())
        except (OSError, ValueError) as exc:
            raise ProxyConfigError(f"cannot read proxy config {config}: {exc}") from None
        done, error = await self.proxies.populate(raw)
        if error is not None:
            raise ProxyConfigError(f"proxy config {config}: {error.message}")
        return len(done)

    async def serve_forever(self) -> None:
        """Serve until cancelled."""
        assert self._server is not None, "start() first"
        await self._server.serve_forever()

    async def close(self) -> None:
        """Stop the API and every proxy."""
        self.proxies.close()
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)


class ProxyConfigError(HachaosError):
    """A proxy config file could not be applied."""


def _bind_api(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise PortInUse(
            f"port {port} on {host} is in use ({exc.strerror}); pass --port with a free port "
            "or stop the other Toxiproxy"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


@dataclass
class _Started:
    url: str = ""
    error: BaseException | None = None


class ServerThread:
    """An embedded Toxiproxy on its own loop in a daemon thread; a context manager.

    >>> with ServerThread() as server:   # port 0: a free port
    ...     client = ToxiproxyClient(server.url)
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = ToxiproxyServer(host, port)
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._started = _Started()
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=self._run, name="hachaos-toxiproxy", daemon=True)

    @property
    def url(self) -> str:
        """Base URL of the API."""
        return self._started.url

    def start(self, timeout: float = 10.0) -> str:
        """Start and wait until the API listens; returns its URL."""
        self._thread.start()
        if not self._ready.wait(timeout):
            raise HachaosError(f"embedded toxiproxy did not start within {timeout:g}s")
        if self._started.error is not None:
            raise self._started.error
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and join the thread."""
        if self._stop is not None:
            self._loop.call_soon_threadsafe(_resolve, self._stop)
        self._thread.join(timeout)

    def call(self, fn: Callable[[], Coroutine[Any, Any, Any]], timeout: float = 10.0) -> Any:
        """Run a coroutine function on the server's loop (escape hatch for tests)."""
        return asyncio.run_coroutine_threadsafe(fn(), self._loop).result(timeout)

    def __enter__(self) -> ServerThread:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._main())
        finally:
            self._loop.close()

    async def _main(self) -> None:
        self._stop = self._loop.create_future()
        try:
            await self.server.start()
            self._started.url = self.server.url
        except BaseException as exc:
            self._started.error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            await self._stop
        finally:
            await self.server.close()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
