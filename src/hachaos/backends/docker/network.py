"""The blunt partition on Docker: `docker network disconnect`, reconnected with the node's
aliases (and its IP when the engine allows it)."""

from __future__ import annotations

from typing import Any

import docker
from docker.errors import APIError, NotFound

from hachaos.errors import FaultError
from hachaos.node import Attachment


def endpoint(api: docker.APIClient, cid: str, network: str) -> dict[str, Any] | None:
    """The container's endpoint on `network`; None when not attached or the container is gone."""
    try:
        info = api.inspect_container(cid)
    except NotFound:
        return None
    nets: dict[str, Any] = info["NetworkSettings"]["Networks"] or {}
    return nets.get(network)


def attachment(api: docker.APIClient, cid: str, name: str, network: str) -> Attachment | None:
    """Where node `name` (container `cid`) is attached to `network` now, or None."""
    ep = endpoint(api, cid, network)
    if ep is None:
        return None
    aliases = tuple(a for a in ep.get("Aliases") or () if not cid.startswith(a))
    return Attachment(network, aliases or (name,), ep.get("IPAddress") or None)


def disconnect(api: docker.APIClient, cid: str, name: str, network: str) -> None:
    """Detach the container from `network`; FaultError when the engine refuses."""
    try:
        api.disconnect_container_from_network(cid, network)
    except (APIError, NotFound) as exc:
        raise FaultError(f"disconnect {name}: {exc}") from None


def reconnect(api: docker.APIClient, cid: str, name: str, att: Attachment) -> bool:
    """Attach again with the same aliases (and the same IP when the engine allows it); False
    when it was already attached or the container or network is gone."""
    if endpoint(api, cid, att.network) is not None:
        return False
    try:
        _connect(api, cid, att)
    except NotFound:
        return False  # container or network gone: nothing to reconnect
    except APIError as exc:
        raise FaultError(f"reconnect {name} to {att.network}: {exc}") from None
    return True


def _connect(api: docker.APIClient, cid: str, att: Attachment) -> None:
    aliases = list(att.aliases)
    try:
        api.connect_container_to_network(cid, att.network, aliases=aliases, ipv4_address=att.ip)
    except NotFound:
        raise
    except APIError:  # a fixed IP needs a user-configured subnet: take any free one
        api.connect_container_to_network(cid, att.network, aliases=aliases)
