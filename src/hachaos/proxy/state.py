"""Proxies and toxics with Toxiproxy 2.x semantics (what `proxy_collection.go`,
`proxy.go` and `toxic_collection.go` do), independent of HTTP.

Every method runs on the server's event loop. Errors are `ApiError`s carrying the message and
status Toxiproxy would answer with.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from hachaos.proxy.engine import Listener, ListenError
from hachaos.proxy.link import ToxicSpec
from hachaos.proxy.models import ProxyInfo, Stream, ToxicInfo
from hachaos.proxy.toxics import REGISTRY, BadAttribute, new_toxic


class ApiError(Exception):
    """An API failure: `{"error": message, "status": status}`."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def joined(self, detail: str) -> ApiError:
        """This error with a detail appended, as Go's joinError."""
        return ApiError(f"{self.message}: {detail}", self.status)


BAD_REQUEST_BODY = ApiError("bad request body", 400)
MISSING_FIELD = ApiError("missing required field", 400)
PROXY_NOT_FOUND = ApiError("proxy not found", 404)
PROXY_EXISTS = ApiError("proxy already exists", 409)
INVALID_STREAM = ApiError("stream was invalid, can be either upstream or downstream", 400)
INVALID_TOXIC_TYPE = ApiError("invalid toxic type", 400)
TOXIC_EXISTS = ApiError("toxic already exists", 409)
TOXIC_NOT_FOUND = ApiError("toxic not found", 404)


def _field(body: Mapping[str, Any], key: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = body.get(key, default)
    if value is None:
        return default
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if not isinstance(value, kinds) or (bool not in kinds and isinstance(value, bool)):
        wanted = " or ".join(k.__name__ for k in kinds)
        raise BAD_REQUEST_BODY.joined(f"field {key} must be {wanted}, got {value!r}")
    return value


def _object(body: object) -> Mapping[str, Any]:
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise BAD_REQUEST_BODY.joined(f"expected a JSON object, got {type(body).__name__}")
    return body


class ToxicCollection:
    """The toxics of one proxy, in chain order per direction, applied to its live links."""

    def __init__(self, proxy: ProxyState) -> None:
        self._proxy = proxy
        self._toxics: dict[str, ToxicSpec] = {}

    def __iter__(self) -> Iterator[ToxicSpec]:
        order = (Stream.UPSTREAM, Stream.DOWNSTREAM)
        return iter(sorted(self._toxics.values(), key=lambda t: order.index(t.direction)))

    def get(self, name: str) -> ToxicSpec:
        """One toxic, or 404."""
        try:
            return self._toxics[name]
        except KeyError:
            raise TOXIC_NOT_FOUND from None

    def add(self, raw: object) -> ToxicSpec:
        """Create a toxic from a request body (defaults: downstream, toxicity 1, `type_stream`)."""
        body = _object(raw)
        toxicity = float(_field(body, "toxicity", (int, float), 1.0))
        stream = _field(body, "stream", str, Stream.DOWNSTREAM.value)
        try:
            direction = Stream.parse(stream)
        except ValueError:
            raise INVALID_STREAM from None
        kind = _field(body, "type", str, "")
        name = _field(body, "name", str, "") or f"{kind}_{stream}"
        if kind not in REGISTRY:
            raise INVALID_TOXIC_TYPE
        if name in self._toxics:
            raise TOXIC_EXISTS
        toxic = _build(kind, _object(body.get("attributes")))
        spec = ToxicSpec(name, kind, stream, direction, toxicity, toxic)
        self._toxics[name] = spec
        for link in self._proxy.links(direction):
            link.attach(spec)
        return spec

    def update(self, name: str, raw: object) -> ToxicSpec:
        """Change a toxic's attributes and/or toxicity; the rest of the body is ignored."""
        spec = self.get(name)
        body = _object(raw)
        toxic = spec.toxic.copy()
        try:
            toxic.update(_object(body.get("attributes")))
        except BadAttribute as exc:
            raise BAD_REQUEST_BODY.joined(str(exc)) from None
        toxicity = _field(body, "toxicity", (int, float), spec.toxicity)
        spec.toxic, spec.toxicity = toxic, float(toxicity)
        for link in self._proxy.links(spec.direction):
            link.update(spec)
        return spec

    def remove(self, name: str) -> None:
        """Delete a toxic from the proxy and its live links."""
        spec = self.get(name)
        del self._toxics[name]
        for link in self._proxy.links(spec.direction):
            link.detach(name)

    def reset(self) -> None:
        """Remove every toxic."""
        for name in list(self._toxics):
            self.remove(name)


def _build(kind: str, attributes: Mapping[str, Any]) -> Any:
    try:
        return new_toxic(kind, attributes)
    except BadAttribute as exc:
        raise BAD_REQUEST_BODY.joined(str(exc)) from None


def toxic_info(spec: ToxicSpec) -> ToxicInfo:
    """The API view of a toxic."""
    return ToxicInfo(spec.name, spec.type, spec.stream, spec.toxicity, spec.toxic.attributes())


@dataclass(eq=False)
class ProxyState:
    """One proxy: its settings, its toxics and, while enabled, its listener."""

    name: str
    listen: str
    upstream: str
    enabled: bool = False
    listener: Listener | None = None
    toxics: ToxicCollection = field(init=False)

    def __post_init__(self) -> None:
        self.toxics = ToxicCollection(self)

    def links(self, direction: Stream) -> list[Any]:
        """Live links of one direction (none while disabled)."""
        return self.listener.links(direction) if self.listener is not None else []

    async def start(self) -> None:
        """Listen (a taken port is a 500, as Toxiproxy's bind error); no-op when enabled."""
        if self.enabled:
            return
        listener = Listener(self.upstream, lambda: iter(self.toxics))
        try:
            self.listen = await listener.start(self.listen)
        except ListenError as exc:
            raise ApiError(str(exc), 500) from None
        self.listener, self.enabled = listener, True

    def stop(self) -> None:
        """Close the listener and every connection."""
        if self.listener is not None:
            self.listener.stop()
        self.listener, self.enabled = None, False

    async def update(self, listen: str, upstream: str, enabled: bool) -> None:
        """Toxiproxy's Proxy.Update: a new address restarts, `enabled` starts or stops."""
        if listen != self.listen or upstream != self.upstream:
            self.stop()
            self.listen, self.upstream = listen, upstream
        if enabled and not self.enabled:
            await self.start()
        elif not enabled:
            self.stop()

    def info(self) -> ProxyInfo:
        """The API view of the proxy with its toxics."""
        toxics = tuple(toxic_info(t) for t in self.toxics)
        return ProxyInfo(self.name, self.listen, self.upstream, self.enabled, toxics)


@dataclass(frozen=True)
class ProxyInput:
    """A validated proxy from a request body."""

    name: str
    listen: str
    upstream: str
    enabled: bool

    @classmethod
    def parse(cls, raw: object, where: str = "") -> ProxyInput:
        """Validate name/upstream presence and field types (`where` as in `at proxy 2`)."""
        body = _object(raw)
        name = _field(body, "name", str, "")
        upstream = _field(body, "upstream", str, "")
        if not name:
            raise MISSING_FIELD.joined(f"name{where}")
        if not upstream:
            raise MISSING_FIELD.joined(f"upstream{where}")
        listen = _field(body, "listen", str, "")
        return cls(name, listen, upstream, _field(body, "enabled", bool, True))


class ProxyCollection:
    """All proxies of one server."""

    def __init__(self) -> None:
        self._proxies: dict[str, ProxyState] = {}

    def __iter__(self) -> Iterator[ProxyState]:
        return iter(list(self._proxies.values()))

    def get(self, name: str) -> ProxyState:
        """One proxy, or 404."""
        try:
            return self._proxies[name]
        except KeyError:
            raise PROXY_NOT_FOUND from None

    async def create(self, raw: object) -> ProxyState:
        """POST /proxies: 409 when the name exists; starts it unless `enabled` is false."""
        spec = ProxyInput.parse(raw)
        if spec.name in self._proxies:
            raise PROXY_EXISTS
        return await self._add(spec)

    async def _add(self, spec: ProxyInput) -> ProxyState:
        proxy = ProxyState(spec.name, spec.listen, spec.upstream)
        if spec.enabled:
            await proxy.start()
        self._proxies[spec.name] = proxy
        return proxy

    async def update(self, name: str, raw: object) -> ProxyState:
        """POST/PATCH /proxies/{name}: fields default to the current ones."""
        proxy = self.get(name)
        body = _object(raw)
        listen = _field(body, "listen", str, proxy.listen)
        upstream = _field(body, "upstream", str, proxy.upstream)
        enabled = _field(body, "enabled", bool, proxy.enabled)
        await proxy.update(listen, upstream, enabled)
        return proxy

    def remove(self, name: str) -> None:
        """DELETE /proxies/{name}."""
        self.get(name).stop()
        del self._proxies[name]

    async def populate(self, raw: object) -> tuple[list[ProxyState], ApiError | None]:
        """POST /populate: validate all, then add or replace each (same address is kept)."""
        if not isinstance(raw, list):
            raise BAD_REQUEST_BODY.joined("expected a JSON array of proxies")
        specs = [ProxyInput.parse(item, f" at proxy {i + 1}") for i, item in enumerate(raw)]
        done: list[ProxyState] = []
        for spec in specs:
            try:
                done.append(await self._add_or_replace(spec))
            except ApiError as exc:
                return done, exc
        return done, None

    async def _add_or_replace(self, spec: ProxyInput) -> ProxyState:
        existing = self._proxies.get(spec.name)
        if existing is not None:
            if existing.listen == spec.listen and existing.upstream == spec.upstream:
                return existing
            self.remove(spec.name)
        return await self._add(spec)

    async def reset(self) -> None:
        """POST /reset: enable every proxy and remove every toxic."""
        for proxy in self:
            await proxy.start()
            proxy.toxics.reset()

    def close(self) -> None:
        """Stop every proxy (server shutdown)."""
        for proxy in self:
            proxy.stop()
