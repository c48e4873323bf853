"""What it takes to undo one fault, written to the journal before the fault is applied.

Each record is a frozen dataclass with a `kind`; the reaper replays them without the runner.
Records on nodes carry a `NodeRef`: which backend made the node and how it reaches it again (a
container id; a connection string), so each is undone through that backend. Link records carry
the Toxiproxy URL and need no backend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import Field, TypeAdapter

from hachaos.node import Attachment, NodeRef


@dataclass(frozen=True)
class Resume:
    """A node frozen by a pause fault."""

    node: NodeRef
    kind: Literal["resume"] = "resume"


@dataclass(frozen=True)
class StartNode:
    """A node killed or stopped by a fault."""

    node: NodeRef
    kind: Literal["start"] = "start"


@dataclass(frozen=True)
class DeleteRules:
    """Firewall rules tagged `tag` in the network namespaces of `nodes`."""

    nodes: tuple[NodeRef, ...]
    tag: str
    kind: Literal["rules"] = "rules"


@dataclass(frozen=True)
class Reconnect:
    """A node detached from its stack network (attach again as `attachment` says)."""

    node: NodeRef
    attachment: Attachment
    kind: Literal["reconnect"] = "reconnect"


@dataclass(frozen=True)
class RemoveToxic:
    """A toxic on a Toxiproxy proxy."""

    url: str
    proxy: str
    toxic: str
    kind: Literal["toxic"] = "toxic"


@dataclass(frozen=True)
class EnableProxy:
    """A Toxiproxy proxy disabled to take a link down."""

    url: str
    proxy: str
    kind: Literal["proxy-down"] = "proxy-down"


Undo = Resume | StartNode | DeleteRules | Reconnect | RemoveToxic | EnableProxy
UNDO_KINDS: frozenset[str] = frozenset(
    c.kind for c in (Resume, StartNode, DeleteRules, Reconnect, RemoveToxic, EnableProxy)
)
_UNDO: TypeAdapter[Undo] = TypeAdapter(Annotated[Undo, Field(discriminator="kind")])


def node_refs(undo: Undo) -> tuple[NodeRef, ...]:
    """The nodes a record acts on (none for link records)."""
    match undo:
        case DeleteRules():
            return undo.nodes
        case Resume() | StartNode() | Reconnect():
            return (undo.node,)
        case _:
            return ()


def undo_to_json(undo: Undo) -> dict[str, Any]:
    """A JSON object with `kind` and the record's fields."""
    data: dict[str, Any] = _UNDO.dump_python(undo, mode="json")
    return data


def undo_from_json(data: Mapping[str, Any]) -> Undo:
    """Parse a record written by `undo_to_json`; ValueError for an unknown kind or bad fields."""
    kind = data.get("kind")
    if kind not in UNDO_KINDS:
        raise ValueError(f"unknown undo kind {kind!r}")
    return _UNDO.validate_python(data)
