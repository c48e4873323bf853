"""Master discovery by Sentinel majority, on fake Sentinels (no Redis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from redis.sentinel import Sentinel

from hachaos.clients.redis_sentinel import master_by_majority


@dataclass
class FakeSentinelNode:
    answer: object

    def sentinel_get_master_addr_by_name(self, service_name: str) -> object:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@dataclass
class FakeSentinel:
    sentinels: list[FakeSentinelNode]


def _majority(*answers: object) -> tuple[str, int] | None:
    fake = FakeSentinel([FakeSentinelNode(a) for a in answers])
    return master_by_majority(cast(Sentinel, fake), "mymaster")


def test_majority_address_wins_and_bytes_hosts_are_decoded() -> None:
    assert _majority((b"redis-1", 6379), ("redis-1", "6379"), ("redis-2", 6379)) == (
        "redis-1",
        6379,
    )


def test_answers_that_are_not_addresses_are_no_votes() -> None:
    # redis-py types the reply `tuple | bool | None`: a bare True used to be indexed (TypeError)
    assert _majority(True, None, ConnectionError("down"), ("redis-2", 6379)) == ("redis-2", 6379)
    assert _majority(True, False, None) is None
