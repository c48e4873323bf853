"""The ledger drain on a scripted fake channel (no broker)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, cast

import pytest
from pika.adapters.blocking_connection import BlockingChannel

from hachaos.workloads.rabbitmq import DrainCancelled, DrainLog, drain


def _deliver(tag: int, message_id: str | None, body: bytes) -> tuple[Any, Any, bytes]:
    method = SimpleNamespace(delivery_tag=tag, redelivered=False)
    return method, SimpleNamespace(message_id=message_id), body


IDLE = (None, None, None)


@dataclass
class FakeChannel:
    script: list[tuple[Any, Any, Any]]
    ready: int = 0
    acks: list[tuple[int, bool]] = field(default_factory=list)
    cancelled: bool = False
    connection: Any = field(
        default_factory=lambda: SimpleNamespace(
            _impl=SimpleNamespace(
                ioloop=SimpleNamespace(call_later=lambda *a: "t", remove_timeout=lambda h: None)
            )
        )
    )

    def basic_qos(self, prefetch_count: int) -> None:
        pass

    def consume(self, queue: str, inactivity_timeout: float) -> Iterator[tuple[Any, Any, Any]]:
        yield from self.script

    def queue_declare(self, queue: str, **_: object) -> Any:
        return SimpleNamespace(method=SimpleNamespace(message_count=self.ready))

    def basic_ack(self, delivery_tag: int, multiple: bool) -> None:
        self.acks.append((delivery_tag, multiple))

    def cancel(self) -> None:
        self.cancelled = True


def test_drain_records_ids_by_message_id_else_body_and_stops_when_idle_and_empty() -> None:
    channel = FakeChannel(
        [_deliver(1, "l:1", b"ignored"), _deliver(2, None, b"l:2"), _deliver(3, "x:9", b""), IDLE]
    )
    log = DrainLog()
    drain(cast(BlockingChannel, channel), "q", "l", 5.0, log)
    assert log.keys == ["l:1", "l:2"]
    assert channel.acks == [(3, True)]  # foreign ids are drained (acked) but not recorded
    assert channel.cancelled


def test_a_consumer_cancelled_by_the_broker_is_an_incomplete_drain_kept_for_the_next_try() -> None:
    # pika's consume() just ends on a broker Basic.Cancel: the queue was never shown empty
    channel = FakeChannel([_deliver(1, "l:1", b""), _deliver(2, "l:2", b"")], ready=5)
    log = DrainLog()
    with pytest.raises(DrainCancelled, match="cancelled the drain's consumer on queue 'q'"):
        drain(cast(BlockingChannel, channel), "q", "l", 5.0, log)
    assert log.keys == ["l:1", "l:2"]  # kept: the retry goes on from here
    assert channel.acks == [(2, True)]  # what was recorded is acknowledged, not redelivered
    retry = FakeChannel([_deliver(1, "l:3", b""), IDLE])
    drain(cast(BlockingChannel, retry), "q", "l", 5.0, log)
    assert log.keys == ["l:1", "l:2", "l:3"]
