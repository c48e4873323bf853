"""Wire models of the Toxiproxy 2.x HTTP API as frozen dataclasses (stdlib only).

Parsed once at the edge (`from_json`) and passed inward typed; `to_json` gives the exact shape the
API uses, so the embedded server and the client agree on one definition.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: The Toxiproxy release whose API the embedded server speaks.
TOXIPROXY_VERSION = "2.12.0"

AttributeValue = int | float


class Stream(enum.Enum):
    """Direction of a toxic: upstream is client→server, downstream is server→client."""

    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"

    @classmethod
    def parse(cls, value: str) -> Stream:
        """Parse a stream name the way Toxiproxy does (`up`/`down` are accepted too)."""
        aliases = {"upstream": cls.UPSTREAM, "up": cls.UPSTREAM}
        aliases.update({"downstream": cls.DOWNSTREAM, "down": cls.DOWNSTREAM})
        try:
            return aliases[value.lower()]
        except KeyError:
            raise ValueError(f"stream must be upstream or downstream, got {value!r}") from None


@dataclass(frozen=True)
class ToxicInfo:
    """One toxic as the API shows it."""

    name: str
    type: str
    stream: str = Stream.DOWNSTREAM.value
    toxicity: float = 1.0
    attributes: Mapping[str, AttributeValue] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ToxicInfo:
        """Build from the API's JSON object."""
        return cls(
            name=str(data["name"]),
            type=str(data["type"]),
            stream=str(data.get("stream", Stream.DOWNSTREAM.value)),
            toxicity=float(data.get("toxicity", 1.0)),
            attributes=dict(data.get("attributes") or {}),
        )

    def to_json(self) -> dict[str, Any]:
        """The API's JSON object (same key order as Toxiproxy)."""
        return {
            "attributes": dict(self.attributes),
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": self.toxicity,
        }


@dataclass(frozen=True)
class ProxyInfo:
    """One proxy as the API shows it, with its toxics."""

    name: str
    listen: str
    upstream: str
    enabled: bool = True
    toxics: tuple[ToxicInfo, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ProxyInfo:
        """Build from the API's JSON object."""
        return cls(
            name=str(data["name"]),
            listen=str(data["listen"]),
            upstream=str(data["upstream"]),
            enabled=bool(data.get("enabled", True)),
            toxics=tuple(ToxicInfo.from_json(t) for t in data.get("toxics") or ()),
        )

    def to_json(self) -> dict[str, Any]:
        """The API's JSON object (same key order as Toxiproxy)."""
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": [t.to_json() for t in self.toxics],
        }

    @property
    def host(self) -> str:
        """The host part of the listen address (brackets stripped)."""
        return split_hostport(self.listen)[0]

    @property
    def port(self) -> int:
        """The port the proxy listens on."""
        return split_hostport(self.listen)[1]


def split_hostport(address: str) -> tuple[str, int]:
    """Split `host:port` / `[v6]:port` into its parts; ValueError names the bad address."""
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"address must be host:port, got {address!r}")
    return host.strip("[]"), int(port)


def join_hostport(host: str, port: int) -> str:
    """The inverse of `split_hostport`, bracketing IPv6 literals as Go does."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
