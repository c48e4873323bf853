"""Writes through a Sentinel-aware client: one SET of a unique key per attempt."""

from __future__ import annotations

from collections.abc import Callable

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


def error_name(exc: Exception) -> str:
    """The error's class and, for a server's refusal, its reply code (`ResponseError:
    NOREPLICAS`, not the rest of the message): which refusal it was shows in the history."""
    name = type(exc).__name__
    if isinstance(exc, redis.ResponseError):
        code = str(exc).split(" ", 1)[0]
        if code.isalpha() and code.isupper():
            return f"{name}: {code}"
    return name


class RedisSentinelWriteProbe:
    """SET `<prefix>:<seq>` on whatever master the Sentinels name, one attempt each.

    A refusal names, as the op's value, the node that refused (`node_name` maps the in-stack
    address the Sentinels named to a node name)."""

    kind = "write"

    def __init__(
        self,
        sentinel: MappedSentinel,
        master_name: str,
        prefix: str,
        process: str = "probe",
        node_name: Callable[[str], str] | None = None,
    ):
        self.process = process
        self._prefix = prefix
        self._sentinel = sentinel
        self._node_name = node_name
        self._client = sentinel.master_client(master_name)

    def attempt(self, seq: int) -> Attempt:
        """One write; never raises."""
        key = f"{self._prefix}:{seq}"
        try:
            self._client.set(key, str(seq))
        except Exception as exc:
            # the node the connection was made to (named at connect time): only a server's
            # reply proves the write reached it
            refused_by = self._refused_by() if isinstance(exc, redis.ResponseError) else None
            if _NOREPLICAS in str(exc):
                self._client.connection_pool.disconnect()  # ask the Sentinels again next time
            return Attempt(classify(exc), error_name(exc), key, refused_by)
        return Attempt(Outcome.OK, key=key)

    def _refused_by(self) -> str | None:
        named = self._sentinel.named
        if named is None or self._node_name is None:
            return None
        return self._node_name(named[0])

    def close(self) -> None:
        """Drop connections."""
        self._client.close()
