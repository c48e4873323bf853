"""A Sentinel-aware Redis client that maps in-stack addresses to the runner's published ports.

Sentinels answer with addresses valid inside the stack network (a hostname or container IP);
the runner reaches nodes through ports published on 127.0.0.1, so every discovered address is
translated before connecting. Retries are off: each call is exactly one attempt, as a probe needs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from redis.sentinel import MasterNotFoundError, Sentinel

Translate = Callable[[str, int], tuple[str, int] | None]


class MappedSentinel(Sentinel):
    """redis-py's Sentinel with address translation on master discovery."""

    def __init__(
        self,
        sentinels: list[tuple[str, int]],
        translate: Translate,
        timeout_s: float,
    ) -> None:
        no_retry = Retry(NoBackoff(), 0)
        common = {
            "socket_timeout": timeout_s,
            "socket_connect_timeout": timeout_s,
            "retry": no_retry,
        }
        # redis.sentinel is unannotated (redis-py ships types, but not for these methods)
        super().__init__(sentinels, sentinel_kwargs=common, **common)  # type: ignore[no-untyped-call]
        self._translate = translate
        self.named: tuple[str, int] | None = None  # the in-stack address named last

    def discover_master(self, service_name: str) -> tuple[str, int]:
        """The master's runner-reachable address; MasterNotFoundError if unmapped."""
        host, port = super().discover_master(service_name)  # type: ignore[no-untyped-call]
        self.named = (str(host), int(port))
        mapped = self._translate(host, int(port))
        if mapped is None:
            raise MasterNotFoundError(f"master {host}:{port} is not a node of this stack")
        return mapped

    def master_client(self, service_name: str) -> Redis:
        """A client that follows the master across failovers, one attempt per call."""
        client: Redis = self.master_for(service_name)  # type: ignore[no-untyped-call]
        return client


def master_by_majority(sentinel: Sentinel, service_name: str) -> tuple[str, int] | None:
    """The in-stack master address most reachable Sentinels agree on (None if none answers)."""
    votes: Counter[tuple[str, int]] = Counter()
    for s in sentinel.sentinels:
        try:
            addr = s.sentinel_get_master_addr_by_name(service_name)
        except Exception:
            continue
        if isinstance(addr, tuple):  # typed `tuple | bool | None`: only a tuple is an address
            host = addr[0].decode() if isinstance(addr[0], bytes) else str(addr[0])
            votes[(host, int(addr[1]))] += 1
    if not votes:
        return None
    return votes.most_common(1)[0][0]
