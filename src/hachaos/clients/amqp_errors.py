"""What went wrong in an AMQP call, in words: the broker's reply code and text kept, a hint.

pika's exceptions carry the reason (`ConnectionClosedByBroker(541, 'INTERNAL_ERROR')`, a refused
socket wrapped in `AMQPConnectionError`), but `type(exc).__name__` throws it away. These helpers
keep it:

* `label(exc)`: a short tag for a history op, e.g. `ChannelClosedByBroker 404`;
* `reason(exc)`: the class and what the broker or the socket said, one line, no credentials;
* `hint(exc)`: what to look at next, from the reply code or the kind of failure;
* `AmqpPhaseError`: one line naming the phase, the node, the reason and the hint.
"""

from __future__ import annotations

import re

from pika.exceptions import (
    AMQPConnectionError,
    AMQPError,
    AuthenticationError,
    ChannelClosed,
    ConnectionClosed,
    NackError,
    ProbableAccessDeniedError,
    ProbableAuthenticationError,
    UnroutableError,
)

from hachaos.errors import HachaosError

MAX_REASON = 240
_CREDENTIALS = re.compile(r"(\w+://)[^/\s:@]*:[^/\s@]*@")

# AMQP 0-9-1 reply codes RabbitMQ sends, and what usually causes them here
_HINTS_BY_CODE = {
    320: "the broker closed the connection (node stopping, or paused by pause_minority)",
    403: "the user lacks permission on the vhost or the resource",
    404: "the queue does not exist (it is declared by the first probe or ledger)",
    405: "the queue is locked by another connection (exclusive)",
    406: "a queue of that name exists with other arguments (not a quorum queue?): "
    "delete it or name another queue in the stack's topology",
    530: "the operation is not allowed (vhost missing, or a deleted queue still in use)",
    541: "the broker failed internally: read this node's log for the crash reason "
    "(e.g. 'Non-AMQP exit reason', a quorum queue whose members are not all started)",
}


class DeadlineHit(AMQPError):
    """The operation's deadline passed while pika was blocked on the broker."""


class NoNodeAccepts(AMQPError):
    """No node accepted a connection (and opened a channel) before the deadline; `causes`
    holds what each node tried answered, in order."""

    def __init__(self, summary: str, causes: tuple[tuple[str, BaseException], ...] = ()) -> None:
        super().__init__(summary)
        self.causes = causes


_HINTS_BY_KIND: tuple[tuple[type[BaseException], str], ...] = (
    (DeadlineHit, "the node did not answer in time: frozen, partitioned or overloaded"),
    (AuthenticationError, "the broker refused the credentials (guest allowed remotely?)"),
    (ProbableAuthenticationError, "the broker refused the credentials (guest allowed remotely?)"),
    (ProbableAccessDeniedError, "the broker refused access to the vhost"),
    (AMQPConnectionError, "is the node running, its AMQP listener up and its port published?"),
)


def _reply(exc: BaseException) -> tuple[int, str] | None:
    """(reply code, reply text) of a close sent by the broker or the client, if any."""
    if isinstance(exc, ConnectionClosed | ChannelClosed):
        return int(exc.reply_code), str(exc.reply_text)
    return None


def _redact(text: str) -> str:
    return _CREDENTIALS.sub(r"\1***@", text)


def _detail(exc: BaseException) -> str:
    """What the exception says beyond its class, one line (causes wrapped in args unrolled)."""
    reply = _reply(exc)
    if reply is not None:
        return f"({reply[0]}) {reply[1]}"
    if isinstance(exc, NackError | UnroutableError):
        verb = "nacked" if isinstance(exc, NackError) else "returned as unroutable"
        return f"{len(exc.messages)} message(s) {verb} by the broker"
    inner = exc.args[0] if len(exc.args) == 1 else None
    if isinstance(inner, BaseException):
        return reason(inner)
    text = str(exc).strip()
    return text.splitlines()[0] if text else ""


def reason(exc: BaseException) -> str:
    """`ConnectionClosedByBroker: (541) INTERNAL_ERROR`: the class and the underlying reason."""
    detail = _detail(exc)
    text = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    return _redact(text)[:MAX_REASON]


def label(exc: BaseException) -> str:
    """A short tag for one failed operation: the class, plus the reply code of a close."""
    reply = _reply(exc)
    return f"{type(exc).__name__} {reply[0]}" if reply else type(exc).__name__


def hint(exc: BaseException) -> str:
    """What to check next, from the broker's reply code or the kind of failure."""
    if isinstance(exc, NoNodeAccepts) and exc.causes:
        return hint(exc.causes[-1][1])
    reply = _reply(exc)
    if reply is not None:
        return _HINTS_BY_CODE.get(reply[0], "see the broker's reply text and this node's log")
    for kind, text in _HINTS_BY_KIND:  # most specific first
        if isinstance(exc, kind):
            return text
    return "see this node's log"


class AmqpPhaseError(HachaosError):
    """An AMQP step failed: one line with the phase, the node, the broker's reason, a hint."""

    def __init__(self, phase: str, node: str | None, exc: BaseException) -> None:
        self.phase = phase
        self.node = node
        self.reply = _reply(exc)
        where = f" on {node}" if node else ""
        super().__init__(f"{phase}{where}: {reason(exc)}; hint: {hint(exc)}")
