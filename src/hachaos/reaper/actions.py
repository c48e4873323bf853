"""Replaying undo records without the runner: Docker (unpause, start, reconnect, rules) and
Toxiproxy (remove toxic, enable proxy)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, assert_never

from hachaos.reaper.undo import (
    DeleteRules,
    EnableProxy,
    Reconnect,
    RemoveToxic,
    StartContainer,
    Undo,
    Unpause,
)

if TYPE_CHECKING:
    import docker


def _docker_api() -> docker.APIClient:
    from hachaos.backends.docker.engine import connect

    return connect()


@dataclass
class Undoer:
    """Executes undo records; `teardown` skips what removing the run's containers makes moot."""

    run_id: str
    teardown: bool = True
    api_factory: Callable[[], docker.APIClient] = _docker_api
    _api: docker.APIClient | None = field(default=None, init=False, repr=False)

    @property
    def api(self) -> docker.APIClient:
        """The Docker API, connected on first use."""
        if self._api is None:
            self._api = self.api_factory()
        return self._api

    def undo(self, undo: Undo) -> str:
        """Apply one record; returns what was done. Raises when it could not be undone."""
        match undo:  # exhaustive: a new Undo kind without a handler fails type checking
            case Unpause():
                return self._unpause(undo)
            case StartContainer():
                return self._start(undo)
            case DeleteRules():
                return self._rules(undo)
            case RemoveToxic():
                return self._toxic(undo)
            case EnableProxy():
                return self._enable(undo)
            case Reconnect():
                return self._reconnect(undo)
            case _:
                assert_never(undo)

    def _state(self, cid: str) -> dict[str, object] | None:
        from docker.errors import NotFound

        try:
            state: dict[str, object] = self.api.inspect_container(cid)["State"]
        except NotFound:
            return None
        return state

    def _unpause(self, undo: Unpause) -> str:
        state = self._state(undo.container_id)
        if state is None or not state.get("Paused"):
            return f"{undo.container_id[:12]} not paused"
        self.api.unpause(undo.container_id)
        return f"unpaused {undo.container_id[:12]}"

    def _start(self, undo: StartContainer) -> str:
        if self.teardown:
            return f"{undo.container_id[:12]} left for teardown"
        state = self._state(undo.container_id)
        if state is None or state.get("Running"):
            return f"{undo.container_id[:12]} already running or gone"
        self.api.start(undo.container_id)
        return f"started {undo.container_id[:12]}"

    def _rules(self, undo: DeleteRules) -> str:
        from hachaos.errors import FaultError
        from hachaos.faults.netns import DockerNetns, NetnsRequest

        netns = DockerNetns(self.api, self.run_id)
        results = netns.run_many({c: NetnsRequest(remove=undo.tag) for c in undo.container_ids})
        errors = [r.error for r in results.values() if r.error]
        if errors:
            raise FaultError(f"cannot delete rules {undo.tag}: {errors[0]}")
        removed = sum(r.removed for r in results.values())
        return f"deleted {removed} rule(s) tagged {undo.tag}"

    def _toxic(self, undo: RemoveToxic) -> str:
        from hachaos.proxy.client import NotFound, ToxiproxyClient, ToxiproxyUnavailable

        try:
            ToxiproxyClient(undo.url, timeout=3).remove_toxic(undo.proxy, undo.toxic)
        except NotFound:
            return f"toxic {undo.toxic} already gone"
        except ToxiproxyUnavailable:
            return f"toxiproxy at {undo.url} gone (toxic {undo.toxic} with it)"
        return f"removed toxic {undo.toxic} from {undo.proxy}"

    def _enable(self, undo: EnableProxy) -> str:
        from hachaos.proxy.client import NotFound, ToxiproxyClient, ToxiproxyUnavailable

        try:
            ToxiproxyClient(undo.url, timeout=3).enable(undo.proxy)
        except NotFound:
            return f"proxy {undo.proxy} gone"
        except ToxiproxyUnavailable:
            return f"toxiproxy at {undo.url} gone"
        return f"enabled proxy {undo.proxy}"

    def _reconnect(self, undo: Reconnect) -> str:
        from docker.errors import NotFound

        from hachaos.faults.disconnect import reconnect

        try:
            done = reconnect(self.api, undo)
        except NotFound:
            return f"{undo.container_id[:12]} or {undo.network} gone"
        what = "reconnected" if done else "already on"
        return f"{what} {undo.container_id[:12]} {undo.network}"


def sweep_toxics(url: str, prefix: str) -> int:
    """Remove every toxic whose name starts with `prefix` on every proxy at `url`."""
    from hachaos.proxy.client import ToxiproxyClient, ToxiproxyError

    client = ToxiproxyClient(url, timeout=3)
    removed = 0
    try:
        for proxy in client.proxies():
            for toxic in client.toxics(proxy):
                if toxic.name.startswith(prefix):
                    client.remove_toxic(proxy, toxic.name, missing_ok=True)
                    removed += 1
    except ToxiproxyError:
        return removed
    return removed
