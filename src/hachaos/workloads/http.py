"""The HTTP ledger: POST unique keys to the items API (acknowledged on 201, after COMMIT), then
list them back with ``GET /items?prefix=`` from the read target after healing."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from hachaos.clients.http import JsonHttpClient
from hachaos.errors import HachaosError
from hachaos.probes.base import Probe
from hachaos.probes.http_items import HttpWriteProbe
from hachaos.workloads.ledger import LEDGER_PROCESS


class HttpLedgerStore:
    """Ledger keys as items; `writer_client` makes one client per writer."""

    def __init__(
        self, writer_client: Callable[[], JsonHttpClient], reader: JsonHttpClient, prefix: str
    ) -> None:
        self._writer_client = writer_client
        self._reader = reader
        self._prefix = prefix

    def writer(self) -> Probe:
        """A client POSTing `<prefix>:<seq>`, recording the acknowledging node."""
        return HttpWriteProbe(self._writer_client(), self._prefix, LEDGER_PROCESS)

    def read_back(self) -> tuple[str, ...]:
        """Every ledger key the read target lists now (one attempt; raises on failure)."""
        path = "/items?prefix=" + quote(self._prefix + ":", safe="")
        reply = self._reader.request("GET", path)
        keys = reply.body.get("keys") if reply.body is not None else None
        if reply.status != 200 or not isinstance(keys, list):
            why = reply.field("error") or reply.field("status") or "no key list"
            raise HachaosError(f"GET /items?prefix= answered HTTP {reply.status}: {why}")
        return tuple(str(k) for k in keys)
