"""The RabbitMQ ledger: confirmed publishes of unique ids to the quorum queue, then, after
healing, a full drain of the queue as the final read (Jepsen's total-queue semantics: a
confirmed id missing from the drain is lost, one drained twice is duplicated, one never
published is unexpected).

The ledger shares the topology's queue with the probe, so faults aimed at that queue's leader
hit the ledger too; the queue is purged when the ledger starts and the drain keeps only ledger
ids. The drain acknowledges nothing until the queue is empty: a drain that fails half-way
leaves every message in the queue (requeued on disconnect) for the next try.
"""

from __future__ import annotations

import time

from pika.adapters.blocking_connection import BlockingChannel

from hachaos.clients.amqp import QUORUM_ARGS, AmqpPublisher, Endpoints, deadline
from hachaos.errors import DeadlineExceeded, HachaosError
from hachaos.probes.amqp import AmqpPublishProbe
from hachaos.probes.base import Probe
from hachaos.workloads.ledger import LEDGER_PROCESS

IDLE_S = 0.5  # no delivery for this long, and the broker reports no ready message: drained


class RabbitMQLedgerStore:
    """Ledger ids as persistent messages in one quorum queue."""

    def __init__(
        self,
        endpoints: Endpoints,
        queue: str,
        prefix: str,
        timeout_s: float,
        drain_timeout_s: float = 30.0,
    ) -> None:
        self._endpoints = endpoints
        self._queue = queue
        self._prefix = prefix
        self._timeout_s = timeout_s
        self._drain_timeout_s = drain_timeout_s

    def _publisher(self, *, declare: bool) -> AmqpPublisher:
        return AmqpPublisher(self._endpoints, self._queue, self._timeout_s, declare=declare)

    def writer(self) -> Probe:
        """Purge the queue (earlier runs' messages), then a confirmed-publish client."""
        self.purge()
        return AmqpPublishProbe(
            self._publisher(declare=False), self._prefix, process=LEDGER_PROCESS
        )

    def purge(self) -> int:
        """Declare the quorum queue if needed and empty it; returns how many were dropped."""
        publisher = self._publisher(declare=True)
        try:
            _, channel = publisher.channel()
            method = channel.queue_purge(self._queue)
        except Exception as exc:
            raise HachaosError(
                f"cannot prepare ledger queue '{self._queue}': {type(exc).__name__}"
            ) from None
        finally:
            publisher.close()
        return int(method.method.message_count or 0)

    def read_back(self) -> tuple[str, ...]:
        """Drain the queue; every ledger id delivered, duplicates kept. Raises on failure."""
        publisher = self._publisher(declare=False)
        try:
            _, channel = publisher.channel()
            return drain(channel, self._queue, self._prefix, self._drain_timeout_s)
        finally:
            publisher.close()


def drain(channel: BlockingChannel, queue: str, prefix: str, timeout_s: float) -> tuple[str, ...]:
    """Consume every message (unacknowledged) until the queue is empty, then ack them all.

    Returns the ids (message_id, else the body) that start with `prefix:`, in delivery order;
    raises DeadlineExceeded if the queue is not empty within `timeout_s`.
    """
    until = time.monotonic() + timeout_s
    keys: list[str] = []
    last_tag = 0
    channel.basic_qos(prefetch_count=0)  # unlimited: nothing is acked before the end
    for method, props, body in channel.consume(queue, inactivity_timeout=IDLE_S):
        if method is None:
            if _ready(channel, queue, until) == 0:
                break
        else:
            last_tag = method.delivery_tag
            key = props.message_id or body.decode(errors="replace")
            if key.startswith(f"{prefix}:"):
                keys.append(key)
        if time.monotonic() > until:
            raise DeadlineExceeded(f"drain of queue '{queue}'", timeout_s, f"{len(keys)} read")
    if last_tag:
        channel.basic_ack(last_tag, multiple=True)
    channel.cancel()
    return tuple(keys)


def _ready(channel: BlockingChannel, queue: str, until: float) -> int:
    """Messages still ready in `queue` (a passive declare), bounded by the drain deadline."""
    with deadline(channel.connection, max(0.1, until - time.monotonic())):
        ok = channel.queue_declare(queue, passive=True, durable=True, arguments=QUORUM_ARGS)
    return int(ok.method.message_count or 0)
