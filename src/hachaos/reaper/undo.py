"""What it takes to undo one fault, written to the journal before the fault is applied.

Each record is a frozen dataclass with a `kind`; the reaper replays them without the runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Unpause:
    """A container frozen by `docker pause`."""

    container_id: str
    kind: ClassVar[str] = "unpause"


@dataclass(frozen=True)
class StartContainer:
    """A container killed or stopped by a fault."""

    container_id: str
    kind: ClassVar[str] = "start"


@dataclass(frozen=True)
class DeleteRules:
    """Firewall rules tagged `tag` inside the network namespaces of `container_ids`."""

    container_ids: tuple[str, ...]
    tag: str
    kind: ClassVar[str] = "rules"


@dataclass(frozen=True)
class RemoveToxic:
    """A toxic on a Toxiproxy proxy."""

    url: str
    proxy: str
    toxic: str
    kind: ClassVar[str] = "toxic"


@dataclass(frozen=True)
class EnableProxy:
    """A Toxiproxy proxy disabled to take a link down."""

    url: str
    proxy: str
    kind: ClassVar[str] = "proxy-down"


@dataclass(frozen=True)
class Reconnect:
    """A container disconnected from a network (reconnect with its alias and, if possible, IP)."""

    network: str
    container_id: str
    aliases: tuple[str, ...]
    ip: str | None = None
    kind: ClassVar[str] = "reconnect"


Undo = Unpause | StartContainer | DeleteRules | RemoveToxic | EnableProxy | Reconnect
UNDO_KINDS: dict[str, type[Undo]] = {
    c.kind: c for c in (Unpause, StartContainer, DeleteRules, RemoveToxic, EnableProxy, Reconnect)
}


def undo_to_json(undo: Undo) -> dict[str, Any]:
    """A JSON object with `kind` and the record's fields."""
    return {"kind": undo.kind, **asdict(undo)}


def undo_from_json(data: Mapping[str, Any]) -> Undo:
    """Parse a record written by `undo_to_json`; ValueError for an unknown kind."""
    kind = data.get("kind")
    try:
        cls = UNDO_KINDS[str(kind)]
    except KeyError:
        raise ValueError(f"unknown undo kind {kind!r}") from None
    fields = {k: v for k, v in data.items() if k != "kind"}
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    return cls(**fields)
