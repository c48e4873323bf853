"""AMQP errors in words: the broker's reply kept, the phase and node named, a hint, no secrets."""

from __future__ import annotations

from typing import Any

import pika
import pytest
from pika.exceptions import (
    AMQPConnectionError,
    ChannelClosedByBroker,
    ConnectionClosedByBroker,
    NackError,
    ProbableAuthenticationError,
    StreamLostError,
)

from hachaos.clients.amqp import AmqpPublisher, Endpoint
from hachaos.clients.amqp_errors import (
    AmqpPhaseError,
    DeadlineHit,
    NoNodeAccepts,
    hint,
    label,
    reason,
)
from hachaos.errors import HachaosError
from hachaos.history import Outcome
from hachaos.workloads.rabbitmq import RabbitMQLedgerStore

INTERNAL = ConnectionClosedByBroker(541, "INTERNAL_ERROR")


def test_reason_keeps_reply_code_and_text() -> None:
    assert reason(INTERNAL) == "ConnectionClosedByBroker: (541) INTERNAL_ERROR"
    precondition = ChannelClosedByBroker(406, "PRECONDITION_FAILED - inequivalent arg")
    assert reason(precondition) == (
        "ChannelClosedByBroker: (406) PRECONDITION_FAILED - inequivalent arg"
    )


def test_label_is_short_with_the_reply_code() -> None:
    assert label(INTERNAL) == "ConnectionClosedByBroker 541"
    assert label(DeadlineHit("no answer within 1s")) == "DeadlineHit"


def test_reason_unrolls_a_wrapped_socket_error() -> None:
    exc = AMQPConnectionError(ConnectionRefusedError(111, "Connection refused"))
    assert (
        reason(exc) == "AMQPConnectionError: ConnectionRefusedError: [Errno 111] Connection refused"
    )
    lost = StreamLostError("Stream connection lost: ConnectionResetError(104, 'reset')")
    assert "ConnectionResetError(104" in reason(lost)


def test_reason_of_a_nack_counts_the_messages() -> None:
    messages: list[Any] = ["m1", "m2"]  # pika's ReturnedMessage; only counted here
    assert reason(NackError(messages)) == "NackError: 2 message(s) nacked by the broker"


def test_reason_never_shows_credentials() -> None:
    exc = AMQPConnectionError("cannot reach amqp://guest:s3cret@127.0.0.1:5672/%2F")
    text = reason(exc)
    assert "s3cret" not in text
    assert "amqp://***@127.0.0.1:5672" in text


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (INTERNAL, "failed internally"),
        (ChannelClosedByBroker(406, "PRECONDITION_FAILED"), "other arguments"),
        (ChannelClosedByBroker(404, "NOT_FOUND"), "does not exist"),
        (ConnectionClosedByBroker(320, "CONNECTION_FORCED"), "pause_minority"),
        (ConnectionClosedByBroker(599, "SOMETHING"), "reply text"),
        (DeadlineHit("late"), "frozen, partitioned or overloaded"),
        (ProbableAuthenticationError("ACCESS_REFUSED"), "credentials"),
        (AMQPConnectionError(ConnectionRefusedError(111, "refused")), "node running"),
        (ValueError("odd"), "log"),
    ],
)
def test_hint_follows_the_reply_code_or_the_kind(exc: BaseException, expected: str) -> None:
    assert expected in hint(exc)


def test_no_node_accepts_hints_from_what_the_nodes_said() -> None:
    exc = NoNodeAccepts("rabbit-1: ...", (("rabbit-1", INTERNAL),))
    assert "failed internally" in hint(exc)


def test_phase_error_is_one_line_with_phase_node_reason_hint() -> None:
    err = AmqpPhaseError("ledger prepare (declare and purge queue 'hachaos')", "rabbit-2", INTERNAL)
    text = str(err)
    assert "\n" not in text
    assert text.startswith("ledger prepare (declare and purge queue 'hachaos') on rabbit-2: ")
    assert "(541) INTERNAL_ERROR" in text
    assert "; hint: the broker failed internally" in text
    assert isinstance(err, HachaosError)
    assert err.reply == (541, "INTERNAL_ERROR")


class _Channel:
    """A channel whose purge is answered by the broker closing the connection."""

    def __init__(self, exc: BaseException) -> None:
        self._exc = exc
        self.connection = _Connection()

    def queue_purge(self, queue: str) -> Any:
        raise self._exc


class _Connection:
    """Enough of a BlockingConnection for `deadline`."""

    def __init__(self) -> None:
        self._impl = self
        self.ioloop = self

    def call_later(self, delay: float, callback: Any) -> object:
        return object()

    def remove_timeout(self, handle: object) -> None:
        pass


def test_ledger_prepare_error_names_phase_node_and_the_broker_reply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(AmqpPublisher, "channel", lambda self: ("rabbit-1", _Channel(INTERNAL)))
    monkeypatch.setattr(AmqpPublisher, "close", lambda self: None)
    store = RabbitMQLedgerStore(lambda: [], "hachaos", "p", 1.0)
    with pytest.raises(AmqpPhaseError) as info:
        store.purge()
    assert str(info.value) == (
        "ledger prepare (declare and purge queue 'hachaos') on rabbit-1: "
        "ConnectionClosedByBroker: (541) INTERNAL_ERROR; hint: the broker failed internally: "
        "read this node's log for the crash reason (e.g. 'Non-AMQP exit reason', a quorum "
        "queue whose members are not all started)"
    )


def test_no_node_accepts_lists_each_nodes_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(params: pika.ConnectionParameters) -> Any:
        if params.port == 1:
            raise AMQPConnectionError(ConnectionRefusedError(111, "Connection refused"))
        raise ConnectionClosedByBroker(541, "INTERNAL_ERROR")

    monkeypatch.setattr(pika, "BlockingConnection", refuse)
    endpoints = [Endpoint("rabbit-1", "127.0.0.1", 1), Endpoint("rabbit-2", "127.0.0.1", 2)]
    pub = AmqpPublisher(lambda: endpoints, "hachaos", 1.0)
    result = pub.publish("k:1")
    assert result.outcome is Outcome.FAIL
    assert result.error == "NoNodeAccepts"
    with pytest.raises(NoNodeAccepts) as info:
        pub.channel()
    assert str(info.value) == (
        "rabbit-1: AMQPConnectionError: ConnectionRefusedError: [Errno 111] Connection refused; "
        "rabbit-2: ConnectionClosedByBroker: (541) INTERNAL_ERROR"
    )


def test_every_node_is_tried_once_per_round(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[int] = []

    def refuse(params: pika.ConnectionParameters) -> Any:
        tried.append(params.port)
        raise AMQPConnectionError(ConnectionRefusedError(111, "Connection refused"))

    monkeypatch.setattr(pika, "BlockingConnection", refuse)
    endpoints = [Endpoint(f"rabbit-{p}", "127.0.0.1", p) for p in (1, 2, 3)]
    pub = AmqpPublisher(lambda: endpoints, "hachaos", 1.0)
    pub.publish("k:1")
    assert tried == [1, 2, 3]
    tried.clear()
    pub.publish("k:2")  # the next round starts after the node that failed last
    assert sorted(tried) == [1, 2, 3]
