from __future__ import annotations

from typing import Any

import redis
from redisfakes import FakePool

from hachaos.history import Outcome
from hachaos.probes.redis_sentinel import RedisSentinelWriteProbe


class FakeClient:
    def __init__(self, error: Exception | None) -> None:
        self.error = error
        self.connection_pool = FakePool()

    def set(self, key: str, value: str) -> None:
        if self.error is not None:
            raise self.error

    def close(self) -> None:
        pass


class FakeSentinel:
    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.named: tuple[str, int] | None = ("10.0.0.7", 6379)

    def master_client(self, name: str) -> Any:
        return self.client


def _probe(error: Exception | None) -> tuple[RedisSentinelWriteProbe, FakeClient]:
    client = FakeClient(error)
    names = {"10.0.0.7": "redis-2"}
    probe = RedisSentinelWriteProbe(
        FakeSentinel(client),  # type: ignore[arg-type]
        "m",
        "p",
        node_name=lambda ip: names.get(ip, ip),
    )
    return probe, client


def test_noreplicas_is_refused_and_rediscovers_the_master() -> None:
    probe, client = _probe(redis.ResponseError("NOREPLICAS Not enough good replicas to write."))
    attempt = probe.attempt(3)
    assert attempt.outcome is Outcome.FAIL and attempt.key == "p:3"
    assert client.connection_pool.disconnects == 1
    # which refusal, and from which node, is in the history (not the message's prose)
    assert attempt.error == "ResponseError: NOREPLICAS"
    assert attempt.value == "redis-2"


def test_other_refusals_keep_the_connection() -> None:
    probe, client = _probe(redis.ResponseError("LOADING"))
    assert probe.attempt(0).outcome is Outcome.FAIL
    assert client.connection_pool.disconnects == 0
    assert _probe(None)[0].attempt(1).outcome is Outcome.OK


def test_errors_before_a_reply_name_no_node() -> None:
    attempt = _probe(redis.ConnectionError("Error 111 connecting. Connection refused."))[0].attempt(
        1
    )
    assert attempt.outcome is Outcome.FAIL
    assert attempt.error == "ConnectionError" and attempt.value is None


def test_replies_without_a_code_keep_the_class_name_only() -> None:
    assert _probe(redis.ResponseError("lowercase words"))[0].attempt(1).error == "ResponseError"
    assert _probe(redis.ReadOnlyError("You can't write"))[0].attempt(1).error == "ReadOnlyError"
