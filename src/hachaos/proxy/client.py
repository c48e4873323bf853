"""A typed client for any Toxiproxy 2.x HTTP API (stdlib `urllib` only).

Returns frozen `ProxyInfo` / `ToxicInfo`; every failure is a `ToxiproxyError` refined by status
(`NotFound`, `Conflict`, `InvalidRequest`) or `ToxiproxyUnavailable` when nothing answers.
`client.toxic(...)` is the context manager faults use: add on enter, always remove on exit.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from hachaos.errors import HachaosError, InfraError
from hachaos.proxy.models import ProxyInfo, Stream, ToxicInfo

DEFAULT_URL = "http://127.0.0.1:8474"


class ToxiproxyError(HachaosError):
    """The Toxiproxy API refused a request; `status` and the server's `message`."""

    def __init__(self, message: str, status: int = 0, request: str = "") -> None:
        self.message, self.status, self.request = message, status, request
        where = f" ({request} -> {status})" if status else f" ({request})" if request else ""
        super().__init__(f"toxiproxy: {message}{where}")


class NotFound(ToxiproxyError):
    """404: no such proxy or toxic."""


class Conflict(ToxiproxyError):
    """409: a proxy or toxic of that name exists."""


class InvalidRequest(ToxiproxyError):
    """400: bad body, unknown toxic type, bad stream."""


class ToxiproxyUnavailable(ToxiproxyError, InfraError):
    """No Toxiproxy answers at the URL."""


_BY_STATUS: dict[int, type[ToxiproxyError]] = {404: NotFound, 409: Conflict, 400: InvalidRequest}


class ToxicScope:
    """A toxic added for the duration of a `with` block; removal is idempotent."""

    def __init__(self, client: ToxiproxyClient, proxy: str, info: ToxicInfo) -> None:
        self.client, self.proxy, self.info = client, proxy, info
        self._removed = False

    def update(self, *, toxicity: float | None = None, **attributes: float) -> ToxicInfo:
        """Change the toxic while it is active."""
        self.info = self.client.update_toxic(
            self.proxy, self.info.name, toxicity=toxicity, **attributes
        )
        return self.info

    def remove(self) -> None:
        """Remove the toxic; a toxic (or proxy) already gone is fine."""
        if self._removed:
            return
        self.client.remove_toxic(self.proxy, self.info.name, missing_ok=True)
        self._removed = True

    def __enter__(self) -> ToxicScope:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class ToxiproxyClient:
    """Client for one Toxiproxy API, e.g. `ToxiproxyClient("http://127.0.0.1:8474")`."""

    def __init__(self, base_url: str = DEFAULT_URL, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    # -- server ------------------------------------------------------------------------------
    def version(self) -> str:
        """The server's version (JSON `{"version"}` in 2.x, plain text in older releases)."""
        raw: bytes = self._request("GET", "/version", raw=True)
        try:
            return str(json.loads(raw)["version"])
        except (ValueError, KeyError, TypeError):
            return raw.decode(errors="replace").strip()

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        self._request("POST", "/reset")

    def populate(self, proxies: Iterable[ProxyInfo | Mapping[str, Any]]) -> list[ProxyInfo]:
        """Create or replace proxies in one call; returns them."""
        body = [_proxy_body(p) for p in proxies]
        data = self._request("POST", "/populate", body)
        return [ProxyInfo.from_json(p) for p in data.get("proxies") or ()]

    # -- proxies -----------------------------------------------------------------------------
    def proxies(self) -> dict[str, ProxyInfo]:
        """Every proxy by name."""
        data = self._request("GET", "/proxies")
        return {name: ProxyInfo.from_json(p) for name, p in data.items()}

    def get_proxy(self, name: str) -> ProxyInfo:
        """One proxy; `NotFound` if missing."""
        return ProxyInfo.from_json(self._request("GET", _proxy_path(name)))

    def create_proxy(
        self, name: str, upstream: str, listen: str = "127.0.0.1:0", *, enabled: bool = True
    ) -> ProxyInfo:
        """Create a proxy (`listen` port 0 picks a free port; see `.listen` for the real one)."""
        body = {"name": name, "upstream": upstream, "listen": listen, "enabled": enabled}
        return ProxyInfo.from_json(self._request("POST", "/proxies", body))

    def update_proxy(
        self,
        name: str,
        *,
        listen: str | None = None,
        upstream: str | None = None,
        enabled: bool | None = None,
    ) -> ProxyInfo:
        """Change a proxy's fields; omitted ones stay."""
        body = {"listen": listen, "upstream": upstream, "enabled": enabled}
        body = {k: v for k, v in body.items() if v is not None}
        return ProxyInfo.from_json(self._request("POST", _proxy_path(name), body))

    def enable(self, name: str) -> ProxyInfo:
        """Listen again."""
        return self.update_proxy(name, enabled=True)

    def disable(self, name: str) -> ProxyInfo:
        """Stop listening and drop every connection (the link is down)."""
        return self.update_proxy(name, enabled=False)

    @contextmanager
    def down(self, name: str) -> Iterator[ProxyInfo]:
        """Disable a proxy for the duration of a `with` block; always re-enables."""
        info = self.disable(name)
        try:
            yield info
        finally:
            self.enable(name)

    def delete_proxy(self, name: str, *, missing_ok: bool = False) -> None:
        """Delete a proxy."""
        try:
            self._request("DELETE", _proxy_path(name))
        except NotFound:
            if not missing_ok:
                raise

    # -- toxics ------------------------------------------------------------------------------
    def toxics(self, proxy: str) -> list[ToxicInfo]:
        """The toxics of a proxy (upstream first, then downstream, in chain order)."""
        return [ToxicInfo.from_json(t) for t in self._request("GET", _toxics_path(proxy))]

    def get_toxic(self, proxy: str, name: str) -> ToxicInfo:
        """One toxic; `NotFound` if missing."""
        return ToxicInfo.from_json(self._request("GET", _toxics_path(proxy, name)))

    def add_toxic(
        self,
        proxy: str,
        type: str,
        *,
        stream: Stream | str = Stream.DOWNSTREAM,
        toxicity: float = 1.0,
        name: str | None = None,
        **attributes: float,
    ) -> ToxicInfo:
        """Add a toxic; the name defaults to `<type>_<stream>` as in Toxiproxy."""
        stream = stream.value if isinstance(stream, Stream) else stream
        body: dict[str, Any] = {"type": type, "stream": stream, "toxicity": toxicity}
        body["attributes"] = dict(attributes)
        if name:
            body["name"] = name
        return ToxicInfo.from_json(self._request("POST", _toxics_path(proxy), body))

    def update_toxic(
        self, proxy: str, name: str, *, toxicity: float | None = None, **attributes: float
    ) -> ToxicInfo:
        """Change a toxic's attributes and/or toxicity."""
        body: dict[str, Any] = {"attributes": dict(attributes)}
        if toxicity is not None:
            body["toxicity"] = toxicity
        return ToxicInfo.from_json(self._request("POST", _toxics_path(proxy, name), body))

    def remove_toxic(self, proxy: str, name: str, *, missing_ok: bool = False) -> None:
        """Remove a toxic; with `missing_ok` a toxic or proxy already gone is fine."""
        try:
            self._request("DELETE", _toxics_path(proxy, name))
        except NotFound:
            if not missing_ok:
                raise

    def toxic(
        self,
        proxy: str,
        type: str,
        *,
        stream: Stream | str = Stream.DOWNSTREAM,
        toxicity: float = 1.0,
        name: str | None = None,
        **attributes: float,
    ) -> ToxicScope:
        """Add a toxic now and remove it when the `with` block exits (however it exits)."""
        info = self.add_toxic(
            proxy, type, stream=stream, toxicity=toxicity, name=name, **attributes
        )
        return ToxicScope(self, proxy, info)

    # -- transport ---------------------------------------------------------------------------
    def _request(self, method: str, path: str, body: object = None, *, raw: bool = False) -> Any:
        data = None if body is None else json.dumps(body).encode()
        if data is None and method in ("POST", "PATCH"):
            data = b"{}" if path != "/reset" else b""
        request = urllib.request.Request(self.base_url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        request.add_header("User-Agent", "hachaos-toxiproxy-client")
        payload = self._send(request, f"{method} {path}")
        if raw:
            return payload
        return json.loads(payload) if payload.strip() else None

    def _send(self, request: urllib.request.Request, what: str) -> bytes:
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            raise _api_error(exc, what) from None
        except (TimeoutError, urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ToxiproxyUnavailable(
                f"no Toxiproxy answers at {self.base_url} ({reason}); start one with "
                "`hachaos proxy serve` or check the URL",
                request=what,
            ) from None


def _api_error(exc: urllib.error.HTTPError, what: str) -> ToxiproxyError:
    body = exc.read().decode(errors="replace")
    try:
        message = str(json.loads(body)["error"])
    except (ValueError, KeyError, TypeError):
        message = body.strip() or exc.reason
    return _BY_STATUS.get(exc.code, ToxiproxyError)(message, exc.code, what)


def _proxy_path(name: str) -> str:
    return f"/proxies/{quote(name, safe='')}"


def _toxics_path(proxy: str, name: str | None = None) -> str:
    path = f"{_proxy_path(proxy)}/toxics"
    return path if name is None else f"{path}/{quote(name, safe='')}"


def _proxy_body(proxy: ProxyInfo | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(proxy, ProxyInfo):
        return {
            "name": proxy.name,
            "listen": proxy.listen,
            "upstream": proxy.upstream,
            "enabled": proxy.enabled,
        }
    return dict(proxy)
