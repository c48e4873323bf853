"""The RabbitMQ ledger: confirmed publishes of unique ids to the quorum queue, then, after
healing, a full drain of the queue as the final read (Jepsen's total-queue semantics: a
confirmed id missing from the drain is lost, one drained twice is duplicated, one never
published is unexpected).

The ledger shares the topology's queue with the probe, so faults aimed at that queue's leader
hit the ledger too; the queue is purged when the ledger starts and the drain keeps only ledger
ids. The drain acknowledges in batches (quorum queues stop delivering at 2000 unacknowledged
messages) after recording the ids, and remembers them across attempts, so a drain that fails
half-way is continued by the next try.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from pika.adapters.blocking_connection import BlockingChannel

from hachaos.clients.amqp import QUORUM_ARGS, AmqpPublisher, Endpoints, deadline
from hachaos.clients.amqp_errors import AmqpPhaseError
from hachaos.errors import DeadlineExceeded, HachaosError
from hachaos.probes.amqp import AmqpPublishProbe
from hachaos.probes.base import Probe
from hachaos.workloads.ledger import LEDGER_PROCESS

IDLE_S = 0.5  # no delivery for this long, and the broker reports no ready message: drained
PREFETCH = 1000  # quorum queues cap unacknowledged deliveries (2000 here): ack in batches
ACK_EVERY = 500


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
        self._drained = DrainLog()
        self._purged = False

    def _publisher(self, *, declare: bool) -> AmqpPublisher:
        return AmqpPublisher(self._endpoints, self._queue, self._timeout_s, declare=declare)

    def writer(self) -> Probe:
        """A confirmed-publish client; the first one purges the queue (earlier runs' messages)
        so that later writers of the same ledger never purge what the first wrote."""
        if not self._purged:
            self.purge()
            self._purged = True
        return AmqpPublishProbe(
            self._publisher(declare=False), self._prefix, process=LEDGER_PROCESS
        )

    def purge(self) -> int:
        """Declare the quorum queue if needed and empty it; returns how many were dropped.
        Raises AmqpPhaseError (phase, node, the broker's reply, a hint) when it cannot."""
        publisher = self._publisher(declare=True)
        node: str | None = None
        try:
            node, channel = publisher.channel()
            with deadline(channel.connection, self._timeout_s):
                method = channel.queue_purge(self._queue)
        except Exception as exc:
            phase = f"ledger prepare (declare and purge queue '{self._queue}')"
            raise AmqpPhaseError(phase, node, exc) from None
        finally:
            publisher.close()
        return int(method.method.message_count or 0)

    def read_back(self) -> tuple[str, ...]:
        """Drain the queue: every ledger id delivered (by this and earlier attempts), in
        delivery order, duplicates kept. Raises if this attempt does not empty the queue."""
        publisher = self._publisher(declare=False)
        node: str | None = None
        try:
            node, channel = publisher.channel()
            drain(channel, self._queue, self._prefix, self._drain_timeout_s, self._drained)
        except HachaosError:
            raise
        except Exception as exc:
            raise AmqpPhaseError(f"ledger drain of queue '{self._queue}'", node, exc) from None
        finally:
            publisher.close()
        return tuple(self._drained.keys)


class DrainCancelled(HachaosError):
    """The broker cancelled the drain's consumer before the queue was shown to be empty; the
    ids read so far are kept and the next attempt goes on from there."""

    def __init__(self, queue: str, read: int) -> None:
        super().__init__(
            f"the broker cancelled the drain's consumer on queue '{queue}' before it was empty "
            f"({read} read so far)"
        )


@dataclass
class DrainLog:
    """Ids drained so far, kept across drain attempts: a retry after a failed attempt goes on
    where it stopped instead of re-reading (acknowledged messages are gone from the queue)."""

    keys: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def add(self, key: str, redelivered: bool) -> None:
        """Record one delivery; a redelivery of an id already recorded is the same message
        coming back after a lost ack, not a duplicate."""
        if redelivered and key in self._seen:
            return
        self.keys.append(key)
        self._seen.add(key)


def drain(
    channel: BlockingChannel, queue: str, prefix: str, timeout_s: float, log: DrainLog
) -> None:
    """Consume and acknowledge every message until the queue is empty, recording the ids
    (message_id, else the body) that start with `prefix:`; raises DeadlineExceeded if the
    queue is not empty within `timeout_s`. Ids are recorded before their batch is acked."""
    until = time.monotonic() + timeout_s
    unacked = last_tag = 0
    emptied = False
    channel.basic_qos(prefetch_count=PREFETCH)
    for method, props, body in channel.consume(queue, inactivity_timeout=IDLE_S):
        if method is None or props is None or body is None:  # idle: pika yields all None
            if _ready(channel, queue, until) == 0:
                emptied = True
                break
        else:
            key = props.message_id or body.decode(errors="replace")
            if key.startswith(f"{prefix}:"):
                log.add(key, bool(method.redelivered))
            unacked, last_tag = unacked + 1, method.delivery_tag or last_tag
            if unacked >= ACK_EVERY:
                channel.basic_ack(last_tag, multiple=True)
                unacked = 0
        if time.monotonic() > until:
            raise DeadlineExceeded(f"drain of queue '{queue}'", timeout_s, f"{len(log.keys)} read")
    if unacked:
        channel.basic_ack(last_tag, multiple=True)
    if not emptied:
        # pika ends the consume loop quietly when the broker cancels the consumer (a quorum
        # queue whose leader moved, a deleted queue): the queue was not shown to be empty
        raise DrainCancelled(queue, len(log.keys))
    channel.cancel()


def _ready(channel: BlockingChannel, queue: str, until: float) -> int:
    """Messages still ready in `queue` (a passive declare), bounded by the drain deadline."""
    with deadline(channel.connection, max(0.1, until - time.monotonic())):
        ok = channel.queue_declare(queue, passive=True, durable=True, arguments=QUORUM_ARGS)
    return int(ok.method.message_count or 0)
