"""Writes through a Sentinel-aware client: one SET of a unique key per attempt."""

from __future__ import annotations

import redis

from hachaos.clients.redis_sentinel import MappedSentinel
from hachaos.history import Outcome
from hachaos.probes.base import Attempt

# Errors raised before the command could reach a server: the write certainly did not happen.
# A master cut off from its replicas (min-replicas-to-write) refuses writes with this reply; the
# Sentinels may have promoted another node already, so a client should rediscover the master.
_NOREPLICAS = "NOREPLICAS"
_NOT_SENT_MARKERS = ("Connection refused", "Error 111", "No master found", "not a node of")


def classify(exc: Exception) -> Outcome:
    """Map a redis-py error to fail (not applied) or unknown (may have been applied)."""
    if isinstance(exc, redis.TimeoutError):
        return Outcome.UNKNOWN
    if isinstance(exc, redis.ConnectionError):
        text = str(exc)
        if any(m in text for m in _NOT_SENT_MARKERS):
            return Outcome.FAIL
        return Outcome.UNKNOWN  # lost mid-flight: indeterminate
    return Outcome.FAIL  # a server reply (READONLY, LOADING, ...): refused


class RedisSentinelWriteProbe:
    """SET `<prefix>:<seq>` on whatever master the Sentinels name, one attempt each."""

    kind = "write"

    def __init__(
        self, sentinel: MappedSentinel, master_name: str, prefix: str, process: str = "probe"
    ):
        self.process = process
        self._prefix = prefix
        self._client = sentinel.master_client(master_name)

    def attempt(self, seq: int) -> Attempt:
        """One write; never raises."""
        key = f"{self._prefix}:{seq}"
        try:
            self._client.set(key, str(seq))
        except Exception as exc:
            if _NOREPLICAS in str(exc):
                self._client.connection_pool.disconnect()  # ask the Sentinels again next time
            return Attempt(classify(exc), type(exc).__name__, key)
        return Attempt(Outcome.OK, key=key)

    def close(self) -> None:
        """Drop connections."""
        self._client.close()
