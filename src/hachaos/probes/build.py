"""The `build` probe: enqueue one build through the platform's load balancer per attempt.

POST /builds with a unique `request_id` (the op's key, so the build ledger can match the
platform's records to what the client was told); ok only on 201 (the platform says the build
is durable), the build id as the op's value. A refused connection or an error status is a
`fail` (certainly not accepted: the platform answers an error only when it did not accept);
a timeout or a connection lost after sending is `unknown` (the build may exist).
"""

from __future__ import annotations

import http.client
import json
import ssl

from hachaos.history import Outcome
from hachaos.probes.base import Attempt

ACCEPTED = 201


def request_id(prefix: str, seq: int) -> str:
    """The unique request id of build attempt `seq`."""
    return f"{prefix}:{seq}"


class BuildProbe:
    """POST /builds on (host, port), a fresh connection per attempt; over HTTPS verified by
    `tls` when given (an untrusted certificate fails the attempt)."""

    kind = "write"

    def __init__(
        self,
        host: str,
        port: int,
        prefix: str,
        timeout_s: float,
        *,
        process: str = "probe",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.process = process
        self._host, self._port = host, port
        self._prefix = prefix
        self._timeout_s = timeout_s
        self._tls = tls

    def _connection(self) -> http.client.HTTPConnection:
        if self._tls is None:
            return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout_s)
        return http.client.HTTPSConnection(
            self._host, self._port, timeout=self._timeout_s, context=self._tls
        )

    def attempt(self, seq: int) -> Attempt:
        """One enqueue; never raises."""
        key = request_id(self._prefix, seq)
        body = json.dumps({"request_id": key})
        conn = self._connection()
        sent = False
        try:
            conn.connect()
            sent = True
            conn.request("POST", "/builds", body, {"Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = resp.read()
        except ssl.SSLCertVerificationError as exc:
            return Attempt(Outcome.FAIL, f"certificate not trusted: {exc.verify_message}", key)
        except (OSError, http.client.HTTPException) as exc:
            late = sent or isinstance(exc, TimeoutError)
            return Attempt(Outcome.UNKNOWN if late else Outcome.FAIL, type(exc).__name__, key)
        finally:
            conn.close()
        if resp.status != ACCEPTED:
            return Attempt(Outcome.FAIL, f"HTTP {resp.status}", key, str(resp.status))
        return Attempt(Outcome.OK, key=key, value=_build_id(payload))

    def close(self) -> None:
        """Nothing to release: each attempt uses its own connection."""


def _build_id(payload: bytes) -> str | None:
    try:
        value = json.loads(payload).get("id")
    except (ValueError, AttributeError):
        return None
    return str(value) if value is not None else None
