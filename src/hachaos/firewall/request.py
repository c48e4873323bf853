"""What one firewall call on a node does (remove tagged rules, add rules, probe peers) and what
it reports back. Plain data: every backend carries out the same request its own way."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Probe:
    """Connect from inside the namespace to `host:port`, expecting `blocked` or `reachable`."""

    host: str
    port: int
    expect: str
    peer: str = ""


@dataclass(frozen=True)
class RuleRequest:
    """Remove the rules tagged `remove` (or, with `prefix`, starting with it), add `add`
    (iptables argument lists), then probe until every probe meets its expectation or
    `settle_s` passes."""

    add: tuple[tuple[str, ...], ...] = ()
    remove: str | None = None
    prefix: bool = False
    probes: tuple[Probe, ...] = ()
    settle_s: float = 3.0
    probe_timeout_s: float = 0.5

    def to_json(self) -> str:
        """The in-namespace script's argument."""
        return json.dumps(
            {
                "add": [list(a) for a in self.add],
                "remove": self.remove,
                "prefix": self.prefix,
                "probes": [p.__dict__ for p in self.probes],
                "settle_s": self.settle_s,
                "probe_timeout_s": self.probe_timeout_s,
            }
        )


@dataclass(frozen=True)
class ProbeResult:
    """One probe's outcome inside the namespace."""

    peer: str
    host: str
    port: int
    expect: str
    result: str
    ok: bool


@dataclass(frozen=True)
class RuleResponse:
    """What one firewall call did."""

    removed: int
    added: int
    probes: tuple[ProbeResult, ...] = ()
    error: str | None = None
    skipped: str | None = None  # e.g. the node is not running: it has no namespace now

    @property
    def probes_ok(self) -> bool:
        """Every probe met its expectation."""
        return all(p.ok for p in self.probes)

    def failed_probes(self) -> list[ProbeResult]:
        """Probes that did not meet their expectation."""
        return [p for p in self.probes if not p.ok]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RuleResponse:
        """Parse the in-namespace script's output."""
        probes = tuple(
            ProbeResult(**{k: p[k] for k in ProbeResult.__dataclass_fields__})
            for p in data.get("probes") or ()
        )
        return cls(int(data["removed"]), int(data["added"]), probes, data.get("error"))
