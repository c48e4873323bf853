"""An AMQP 0-9-1 publisher with publisher confirms and a hard deadline per operation.

The runner reaches RabbitMQ nodes through ports published on 127.0.0.1; `Endpoints` returns
them fresh on every (re)connect, since a restarted container gets new host ports. The
connection is kept between operations (a 50 ms probe interval is then cheap) and dropped on
any doubt. Each publish is exactly one attempt, classified as the history needs:

* ok: the broker confirmed (basic.ack) a persistent, mandatory message;
* fail: it certainly was not enqueued: no node accepted a connection, the channel could not
  be opened, or the broker answered basic.nack / basic.return (unroutable); after a nack the
  connection is reopened;
* unknown: the message may have been enqueued: the confirm did not arrive within the
  deadline, or the connection was lost after the message was handed to the socket.

pika's BlockingConnection has no per-call timeout, so the deadline is a timer on pika's
I/O loop that terminates the stream the way pika's own heartbeat checker does: the blocked
call then raises, and the socket is really closed (nothing leaks).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import pika
from pika.adapters.blocking_connection import BlockingChannel
from pika.exceptions import NackError, UnroutableError

from hachaos.clients.amqp_errors import DeadlineHit, NoNodeAccepts, label, reason
from hachaos.history import Outcome

__all__ = ["AmqpPublisher", "DeadlineHit", "Endpoint", "Endpoints", "NoNodeAccepts"]


@dataclass(frozen=True)
class Endpoint:
    """One node as the runner reaches it."""

    node: str
    host: str
    port: int


Endpoints = Callable[[], list[Endpoint]]

QUORUM_ARGS = {"x-queue-type": "quorum"}


@dataclass(frozen=True)
class PublishResult:
    """What one publish learnt: outcome, the error's short label when not ok (class and
    reply code, see `amqp_errors.label`), the node it went to."""

    outcome: Outcome
    error: str | None = None
    node: str | None = None


@dataclass
class _Session:
    node: str
    conn: pika.BlockingConnection
    channel: BlockingChannel


def _params(ep: Endpoint, timeout_s: float) -> pika.ConnectionParameters:
    return pika.ConnectionParameters(
        host=ep.host,
        port=ep.port,
        connection_attempts=1,
        retry_delay=0,
        socket_timeout=timeout_s,
        stack_timeout=timeout_s,
        blocked_connection_timeout=timeout_s,
        heartbeat=0,  # every call is bounded by its own deadline instead
    )


@contextmanager
def deadline(conn: pika.BlockingConnection, timeout_s: float) -> Iterator[None]:
    """Bound the pika calls in the block: past `timeout_s` the stream is terminated and the
    blocked call raises DeadlineHit."""
    # the I/O-loop connection behind the blocking facade (private: not in pika's stubs)
    impl: Any = conn._impl  # type: ignore[attr-defined]
    handle = impl.ioloop.call_later(
        max(0.001, timeout_s),
        lambda: impl._terminate_stream(DeadlineHit(f"no answer within {timeout_s:g}s")),
    )
    try:
        yield
    finally:
        impl.ioloop.remove_timeout(handle)


def abort(conn: pika.BlockingConnection) -> None:
    """Drop a connection without waiting for the broker (it may be frozen or gone)."""
    impl: Any = conn._impl  # type: ignore[attr-defined]
    if conn.is_open:
        impl._terminate_stream(DeadlineHit("connection dropped by the client"))
        with suppress(Exception):  # the termination surfaces here: it is what we asked for
            conn.process_data_events(time_limit=0)


class AmqpPublisher:
    """Publishes persistent messages with confirms to one queue via any running node."""

    def __init__(
        self, endpoints: Endpoints, queue: str, timeout_s: float, *, declare: bool = True
    ) -> None:
        self._endpoints = endpoints
        self._queue = queue
        self._timeout_s = timeout_s
        self._declare = declare
        self._session: _Session | None = None
        self._preferred = 0  # index of the node to try first; moves on after a failure

    @property
    def node(self) -> str | None:
        """The node the publisher is connected to now, if any."""
        return self._session.node if self._session else None

    def publish(self, message_id: str, body: bytes | None = None) -> PublishResult:
        """Publish one message with `message_id` within the timeout (connecting included);
        never raises."""
        until = time.monotonic() + self._timeout_s
        try:
            session = self._ensure_session(until)
        except Exception as exc:
            return PublishResult(Outcome.FAIL, label(exc))
        props = pika.BasicProperties(delivery_mode=2, message_id=message_id)
        try:
            with deadline(session.conn, until - time.monotonic()):
                session.channel.basic_publish(
                    "", self._queue, body or message_id.encode(), props, mandatory=True
                )
        except UnroutableError as exc:
            return PublishResult(Outcome.FAIL, label(exc), session.node)
        except NackError as exc:
            # a channel that got a nack when the queue's leader died can keep nacking every
            # publish until that node returns (RabbitMQ 3.10.8, seen 2 runs in 8): a fresh
            # channel looks the current leader up again
            self._drop(rotate=False)
            return PublishResult(Outcome.FAIL, label(exc), session.node)
        except Exception as exc:  # lost or timed out after handing the message over
            self._drop(rotate=True)
            return PublishResult(Outcome.UNKNOWN, label(exc), session.node)
        return PublishResult(Outcome.OK, node=session.node)

    def channel(self) -> tuple[str, BlockingChannel]:
        """An open channel (connecting if needed) and its node, for reads like a drain."""
        session = self._ensure_session(time.monotonic() + self._timeout_s)
        return session.node, session.channel

    def close(self) -> None:
        """Drop the connection."""
        self._drop(rotate=False)

    def _ensure_session(self, until: float) -> _Session:
        """The live session, or a new one to the first node that accepts before `until`
        (monotonic); raises if none does."""
        if self._session is not None and self._alive(self._session):
            return self._session
        self._drop(rotate=False)
        endpoints = self._endpoints()
        if not endpoints:
            raise NoNodeAccepts("no node publishes an AMQP port")
        causes: list[tuple[str, BaseException]] = []
        first = self._preferred  # fixed for this round: every node is tried once, in order
        for i in range(len(endpoints)):
            index = (first + i) % len(endpoints)
            ep = endpoints[index]
            left = until - time.monotonic()
            if left <= 0:
                causes.append((ep.node, DeadlineHit("deadline passed before trying this node")))
                break
            try:
                self._session = self._open(ep, left)
            except Exception as exc:
                causes.append((ep.node, exc))
                self._preferred = index + 1  # the next operation starts with the next node
                continue
            self._preferred = index
            return self._session
        summary = "; ".join(f"{node}: {reason(exc)}" for node, exc in causes)
        raise NoNodeAccepts(summary, tuple(causes))

    def _open(self, ep: Endpoint, timeout_s: float) -> _Session:
        conn = pika.BlockingConnection(_params(ep, timeout_s))
        try:
            with deadline(conn, timeout_s):
                channel = conn.channel()
                channel.confirm_delivery()
                if self._declare:
                    channel.queue_declare(self._queue, durable=True, arguments=QUORUM_ARGS)
        except BaseException:
            abort(conn)
            raise
        self._declare = False  # declared once per publisher: later sessions just publish
        return _Session(ep.node, conn, channel)

    @staticmethod
    def _alive(session: _Session) -> bool:
        """Pump pending I/O so a connection the broker already closed is noticed before
        a message is handed to it (it then certainly was not sent)."""
        try:
            session.conn.process_data_events(time_limit=0)
        except Exception:
            return False
        return bool(session.conn.is_open and session.channel.is_open)

    def _drop(self, *, rotate: bool) -> None:
        if self._session is not None:
            abort(self._session.conn)
            self._session = None
        if rotate:
            self._preferred += 1
