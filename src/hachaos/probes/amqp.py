"""AMQP publish probe: one persistent, mandatory message with publisher confirms per attempt,
to the stack's quorum queue through any running node."""

from __future__ import annotations

from hachaos.clients.amqp import AmqpPublisher
from hachaos.probes.base import Attempt


class AmqpPublishProbe:
    """Publish `<prefix>:<seq>` (also the message id); ok only on the broker's confirm."""

    kind = "write"

    def __init__(self, publisher: AmqpPublisher, prefix: str, process: str = "probe") -> None:
        self.process = process
        self._publisher = publisher
        self._prefix = prefix

    def attempt(self, seq: int) -> Attempt:
        """One publish; never raises."""
        key = f"{self._prefix}:{seq}"
        result = self._publisher.publish(key)
        return Attempt(result.outcome, result.error, key)

    def close(self) -> None:
        """Drop the connection."""
        self._publisher.close()
