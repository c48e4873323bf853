"""Master discovery that really asks the Sentinels on every call, as a client that resolves
the master per request does (unlike redis-py's Sentinel client, which keeps its master
connection and never asks again while it works).

The Sentinels are asked in a rotating order (call `turn` starts at Sentinel `turn % n`), each
within a short timeout; the first answer wins. A dead Sentinel costs one refused or timed-out
query, and only fails discovery when no Sentinel answers at all.

Addresses are looked up off the hot path: a Sentinel's published port is resolved again only
after a query to it failed (a restarted container gets a new port), and the master's
runner-reachable address is cached per in-stack address until `forget` (a write to it
failed); so the runner's engine is not asked on every write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from hachaos.clients.redis_sentinel import Translate

Endpoint = tuple[str, int]


@dataclass(frozen=True)
class Discovered:
    """One discovery: the master's in-stack and runner-reachable addresses (None: no Sentinel
    answered, or it named an address outside the stack), how many Sentinels were asked."""

    named: Endpoint | None
    address: Endpoint | None
    asked: int
    error: str = ""


def one_attempt_client(host: str, port: int, timeout_s: float) -> Redis:
    """A Redis client that makes exactly one attempt per call, within `timeout_s`."""
    return Redis(
        host=host,
        port=port,
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
    )


class SentinelDiscovery:
    """Asks `SENTINEL get-master-addr-by-name` of the Sentinels, rotating, on every call.

    `sentinels` gives one resolver per Sentinel: its runner-reachable endpoint now (None: not
    published, e.g. stopped).
    """

    def __init__(
        self,
        sentinels: Sequence[Callable[[], Endpoint | None]],
        translate: Translate,
        master_name: str,
        timeout_s: float,
    ) -> None:
        self._resolvers = list(sentinels)
        self._endpoints: dict[int, Endpoint | None] = {}
        self._translate = translate
        self._mapped: dict[Endpoint, Endpoint | None] = {}
        self._master = master_name
        self._timeout_s = timeout_s
        self._clients: dict[Endpoint, Redis] = {}

    def master(self, turn: int) -> Discovered:
        """Ask the Sentinels, starting with number `turn % n`, until one names the master."""
        n = len(self._resolvers)
        if not n:
            return Discovered(None, None, 0, "no Sentinel in the stack")
        errors: list[str] = []
        for asked, i in enumerate([(turn + k) % n for k in range(n)], 1):
            named = self._ask(i, errors)
            if named is not None:
                return Discovered(named, self._runner_address(named), asked)
        return Discovered(None, None, n, "; ".join(errors))

    def forget(self, named: Endpoint) -> None:
        """Look the master's runner-reachable address up again next time (a write failed)."""
        self._mapped.pop(named, None)

    def _runner_address(self, named: Endpoint) -> Endpoint | None:
        if named not in self._mapped:
            self._mapped[named] = self._translate(*named)
        return self._mapped[named]

    def _endpoint(self, i: int) -> Endpoint | None:
        if i not in self._endpoints:
            self._endpoints[i] = self._resolvers[i]()
        return self._endpoints[i]

    def _ask(self, i: int, errors: list[str]) -> Endpoint | None:
        """Sentinel `i`'s answer (None: down, unreachable or no master known)."""
        endpoint = self._endpoint(i)
        if endpoint is None:
            self._endpoints.pop(i)  # resolve again next time: it may have been started
            errors.append(f"Sentinel {i + 1}: no published port")
            return None
        client = self._clients.get(endpoint)
        if client is None:
            client = self._clients[endpoint] = one_attempt_client(*endpoint, self._timeout_s)
        try:
            addr = client.sentinel_get_master_addr_by_name(self._master)
        except Exception as exc:
            client.connection_pool.disconnect()
            self._endpoints.pop(i)  # a restarted Sentinel has a new published port
            errors.append(f"Sentinel {i + 1}: {type(exc).__name__}")
            return None
        if not isinstance(addr, tuple):  # typed `tuple | bool | None`: only a tuple answers
            errors.append(f"Sentinel {i + 1}: no master known")
            return None
        host = addr[0].decode() if isinstance(addr[0], bytes) else str(addr[0])
        return host, int(addr[1])

    def close(self) -> None:
        """Drop every Sentinel connection."""
        for client in self._clients.values():
            client.close()
        self._clients.clear()
