"""Writes that go through Sentinel discovery on every operation: ask, then SET on the answer."""

from __future__ import annotations

from collections.abc import Callable

import redis
from redis import Redis

from hachaos.clients.redis_discovery import Endpoint, SentinelDiscovery, one_attempt_client
from hachaos.history import Outcome
from hachaos.probes.base import Attempt
from hachaos.probes.redis_sentinel import classify, error_name

NO_ANSWER = "NoSentinelAnswer"


class RedisDiscoveryWriteProbe:
    """SET `<prefix>:<seq>` on the master the Sentinels name for this very attempt.

    A replica refuses the SET (READONLY), so an ok write was acknowledged by a master; the op's
    value names that node (split brain shows up as two nodes acknowledging at once). When no
    Sentinel answers the op fails without sending anything.
    """

    kind = "write"

    def __init__(
        self,
        discovery: SentinelDiscovery,
        prefix: str,
        timeout_s: float,
        node_name: Callable[[str], str],
        process: str = "probe",
    ) -> None:
        self.process = process
        self._discovery = discovery
        self._prefix = prefix
        self._timeout_s = timeout_s
        self._node_name = node_name
        self._clients: dict[Endpoint, Redis] = {}

    def attempt(self, seq: int) -> Attempt:
        """Discover, then write once; never raises."""
        key = f"{self._prefix}:{seq}"
        found = self._discovery.master(seq)
        if found.named is None:
            return Attempt(Outcome.FAIL, NO_ANSWER, key)
        if found.address is None:  # named a master that is no node of this stack
            return Attempt(Outcome.FAIL, "MasterNotInStack", key)
        node = self._node_name(found.named[0])
        client = self._client(found.address)
        try:
            client.set(key, str(seq))
        except Exception as exc:
            client.connection_pool.disconnect()
            if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
                self._discovery.forget(found.named)
            return Attempt(classify(exc), error_name(exc), key, node)
        return Attempt(Outcome.OK, key=key, value=node)

    def _client(self, address: Endpoint) -> Redis:
        client = self._clients.get(address)
        if client is None:
            client = self._clients[address] = one_attempt_client(*address, self._timeout_s)
        return client

    def close(self) -> None:
        """Drop every connection (masters and Sentinels)."""
        for client in self._clients.values():
            client.close()
        self._discovery.close()
