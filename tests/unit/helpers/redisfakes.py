"""Stand-ins for redis-py objects the Redis probes and clients touch."""

from __future__ import annotations


class FakePool:
    """A client's `connection_pool`: counts `disconnect` calls (a probe drops its connections
    to look the master up again)."""

    def __init__(self) -> None:
        self.disconnects = 0

    def disconnect(self) -> None:
        self.disconnects += 1
