"""The Redis ledger: SET unique keys through the Sentinel-aware client, then SCAN the prefix on
the master the Sentinels name after healing."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.clients.redis_sentinel import MappedSentinel
from hachaos.probes.base import Probe
from hachaos.probes.redis_sentinel import RedisSentinelWriteProbe
from hachaos.workloads.ledger import LEDGER_PROCESS


class RedisLedgerStore:
    """Ledger keys as Redis string keys under one prefix; `writers` makes each write client
    (default: one that keeps its master connection, as redis-py's Sentinel client does)."""

    def __init__(
        self,
        sentinel: Callable[[], MappedSentinel],
        master_name: str,
        prefix: str,
        writers: Callable[[], Probe] | None = None,
    ) -> None:
        self._sentinel = sentinel
        self._master = master_name
        self._prefix = prefix
        self._writers = writers

    def writer(self) -> Probe:
        """A SET client that follows the master across failovers."""
        if self._writers is not None:
            return self._writers()
        return RedisSentinelWriteProbe(
            self._sentinel(), self._master, self._prefix, process=LEDGER_PROCESS
        )

    def read_back(self) -> tuple[str, ...]:
        """Every ledger key on the current master (SCAN, one attempt)."""
        client = self._sentinel().master_client(self._master)
        try:
            keys = client.scan_iter(match=f"{self._prefix}:*", count=1000)
            return tuple(k.decode() if isinstance(k, bytes) else str(k) for k in keys)
        finally:
            client.close()
