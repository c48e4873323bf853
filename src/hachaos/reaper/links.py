"""Undoing link faults without the runner: Toxiproxy's HTTP API, no backend involved."""

from __future__ import annotations

from hachaos.proxy.client import NotFound, ToxiproxyClient, ToxiproxyError, ToxiproxyUnavailable
from hachaos.reaper.undo import EnableProxy, RemoveToxic


def remove_toxic(undo: RemoveToxic) -> str:
    """Remove the toxic; a toxic or proxy already gone is done."""
    try:
        ToxiproxyClient(undo.url, timeout=3).remove_toxic(undo.proxy, undo.toxic)
    except NotFound:
        return f"toxic {undo.toxic} already gone"
    except ToxiproxyUnavailable:
        return f"toxiproxy at {undo.url} gone (toxic {undo.toxic} with it)"
    return f"removed toxic {undo.toxic} from {undo.proxy}"


def enable_proxy(undo: EnableProxy) -> str:
    """Enable the proxy again; a proxy already gone is done."""
    try:
        ToxiproxyClient(undo.url, timeout=3).enable(undo.proxy)
    except NotFound:
        return f"proxy {undo.proxy} gone"
    except ToxiproxyUnavailable:
        return f"toxiproxy at {undo.url} gone"
    return f"enabled proxy {undo.proxy}"


def sweep_toxics(url: str, prefix: str) -> int:
    """Remove every toxic whose name starts with `prefix` on every proxy at `url`."""
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
