"""HTTP probes of the items API every reference application implements (the active/passive
appliance, the quorum cluster's servers):

* ``POST /items {"key", "value"}`` -> 201 ``{"key", "node"}`` once the row is committed, else
  503 ``{"error", "status": maintenance | replication | no-quorum | unavailable}``;
* ``GET /items/K`` -> 200 ``{"key", "value", "node"}`` or 404;
* ``GET /items?prefix=P`` -> 200 ``{"keys": [...]}``.

Every answer of the application carries ``X-Hachaos-Node``. The write probe records the node
that acknowledged each write (from the body) as the op's value, so `checks.overlap` sees two
primaries acknowledging at once.
"""

from __future__ import annotations

from urllib.parse import quote

from hachaos.clients.http import HttpAttemptError, HttpReply, JsonHttpClient
from hachaos.history import Outcome
from hachaos.probes.base import Attempt

# 503 statuses with which the application refuses a write it certainly did not apply: before
# touching its database (appliance), or rolled back before COMMIT (quorum cluster: no quorum)
REFUSED = frozenset({"maintenance", "replication", "no-quorum"})
INDETERMINATE_STATUSES = frozenset({500, 502, 504})  # an answer after the request went through


def item_path(key: str) -> str:
    """The URL path of one item (the key percent-encoded, ':' kept)."""
    return "/items/" + quote(key, safe=":")


def classify_write(reply: HttpReply, key: str) -> Attempt:
    """What a reply to ``POST /items`` says about the write of `key`.

    ok: 201 naming this key. fail (certainly not applied): a 4xx; a 503 the application sent
    with status maintenance, replication or no-quorum (refused, never committed); a 503 from
    something that is not the application (a load balancer with no server). unknown: 500,
    502, 504, or the application's own 503 ``unavailable`` (it could not confirm a commit).
    """
    status = reply.status
    if status == 201:
        if reply.field("key") != key:
            return Attempt(Outcome.FAIL, "HTTP 201 for another key", key)
        return Attempt(Outcome.OK, key=key, value=reply.field("node") or reply.node)
    error = f"HTTP {status}" + (f" {reply.field('status')}" if reply.field("status") else "")
    if 400 <= status < 500:
        return Attempt(Outcome.FAIL, error, key)
    if status == 503 and (reply.node is None or reply.field("status") in REFUSED):
        return Attempt(Outcome.FAIL, error, key)
    if status in INDETERMINATE_STATUSES or status == 503:
        return Attempt(Outcome.UNKNOWN, error, key)
    return Attempt(Outcome.FAIL, error, key)


def post_item(client: JsonHttpClient, key: str, value: str) -> Attempt:
    """``POST /items`` once, classified; never raises."""
    try:
        reply = client.request("POST", "/items", {"key": key, "value": value})
    except HttpAttemptError as exc:
        return Attempt(exc.outcome, exc.error, key)
    except Exception as exc:  # a probe never raises: anything else is indeterminate
        return Attempt(Outcome.UNKNOWN, type(exc).__name__, key)
    return classify_write(reply, key)


class HttpWriteProbe:
    """POST a unique key `<prefix>:<seq>` per attempt; ok only on 201."""

    kind = "write"

    def __init__(self, client: JsonHttpClient, prefix: str, process: str = "probe") -> None:
        self.process = process
        self._client = client
        self._prefix = prefix

    def attempt(self, seq: int) -> Attempt:
        """One write; never raises."""
        return post_item(self._client, f"{self._prefix}:{seq}", str(seq))

    def close(self) -> None:
        """Nothing to release: each attempt uses its own connection."""


class HttpReadProbe:
    """GET one key written when the probe was prepared; ok on 200 with that key. A 404 is a
    failure ("key missing"): the item was acknowledged before the run and is gone."""

    kind = "read"

    def __init__(self, client: JsonHttpClient, key: str, process: str = "probe") -> None:
        self.process = process
        self._client = client
        self._key = key
        self._path = item_path(key)

    def attempt(self, seq: int) -> Attempt:
        """One read; never raises."""
        try:
            reply = self._client.request("GET", self._path)
        except HttpAttemptError as exc:
            return Attempt(exc.outcome, exc.error, self._key)
        except Exception as exc:
            return Attempt(Outcome.UNKNOWN, type(exc).__name__, self._key)
        if reply.status == 200 and reply.field("key") == self._key:
            return Attempt(Outcome.OK, key=self._key, value=reply.field("node") or reply.node)
        missing = " (key missing)" if reply.status == 404 else ""
        return Attempt(Outcome.FAIL, f"HTTP {reply.status}{missing}", self._key)

    def close(self) -> None:
        """Nothing to release."""
