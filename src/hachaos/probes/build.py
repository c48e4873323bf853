"""The `build` probe: enqueue one build through the platform's load balancer per attempt.

POST /builds with a unique `request_id` (the op's key, so the build ledger can match the
platform's records to what the client was told); ok only on 201 (the platform says the build
is durable), the build id as the op's value. The shared JSON client decides what a request
without a reply means (`clients.http.no_reply`: never sent is `fail`, sent is `unknown`). An
error status is a `fail` (the platform answers an error only when it did not accept), except
502 and 504: the load balancer forwarded the request and got no answer, so the build may exist
(`unknown`).
"""

from __future__ import annotations

from hachaos.clients.http import HttpAttemptError, HttpReply, JsonHttpClient
from hachaos.history import Outcome
from hachaos.probes.base import Attempt

ACCEPTED = 201
FORWARDED_UNANSWERED = frozenset({502, 504})  # the balancer's own answers after forwarding


def request_id(prefix: str, seq: int) -> str:
    """The unique request id of build attempt `seq`."""
    return f"{prefix}:{seq}"


class BuildProbe:
    """POST /builds through `client` (a fresh connection per attempt; over HTTPS verified by
    the client's CA: an untrusted certificate fails the attempt)."""

    kind = "write"

    def __init__(self, client: JsonHttpClient, prefix: str, *, process: str = "probe") -> None:
        self.process = process
        self._client = client
        self._prefix = prefix

    def attempt(self, seq: int) -> Attempt:
        """One enqueue; never raises."""
        key = request_id(self._prefix, seq)
        try:
            reply = self._client.request("POST", "/builds", {"request_id": key})
        except HttpAttemptError as exc:
            return Attempt(exc.outcome, exc.error, key)
        except Exception as exc:  # a probe never raises: anything else is indeterminate
            return Attempt(Outcome.UNKNOWN, type(exc).__name__, key)
        return classify_enqueue(reply, key)

    def close(self) -> None:
        """Nothing to release: each attempt uses its own connection."""


def classify_enqueue(reply: HttpReply, key: str) -> Attempt:
    """What a reply to ``POST /builds`` says about the build `key`."""
    if reply.status == ACCEPTED:
        build_id = reply.body.get("id") if reply.body is not None else None
        return Attempt(Outcome.OK, key=key, value=None if build_id is None else str(build_id))
    outcome = Outcome.UNKNOWN if reply.status in FORWARDED_UNANSWERED else Outcome.FAIL
    return Attempt(outcome, f"HTTP {reply.status}", key, str(reply.status))
