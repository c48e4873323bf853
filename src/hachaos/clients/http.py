"""A JSON-over-HTTP(S) client for probes and ledgers: one request per call, on a fresh
connection, with the endpoint looked up on every call (a restarted container gets new
published ports).

A call returns the reply, whatever its status, or raises `HttpAttemptError` carrying what the
client learnt about a request that got no reply. This is the one place HTTP probes apply the
rule (`no_reply`):

* ``fail``: certainly not applied: the request was never sent (connection refused, connect
  timeout, TLS handshake or certificate failure);
* ``unknown``: may have been applied: the request was sent, then the connection dropped, was
  reset or timed out before the whole reply arrived.

With TLS the server certificate is always verified, against the CA the caller gives; there is
no switch to turn verification off. An untrusted certificate is named with the verifier's
reason and what to fix, never with certificate or key material.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hachaos.errors import HachaosError
from hachaos.history import Outcome

Endpoint = Callable[[], tuple[str, int]]
NODE_HEADER = "X-Hachaos-Node"
MAX_REPLY_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class HttpReply:
    """One HTTP answer: status, the JSON object it carried (None if not one) and the node
    that answered (the application's `X-Hachaos-Node` header; None when something else, such
    as a load balancer with no server, answered)."""

    status: int
    body: Mapping[str, Any] | None
    node: str | None

    def field(self, name: str) -> str | None:
        """A string field of the JSON body, if present."""
        value = self.body.get(name) if self.body is not None else None
        return value if isinstance(value, str) else None


class HttpAttemptError(HachaosError):
    """A request got no reply; `outcome` says whether it may still have been applied."""

    def __init__(self, outcome: Outcome, error: str) -> None:
        self.outcome = outcome
        self.error = error
        super().__init__(f"{error} ({outcome})")


@dataclass(frozen=True)
class TlsConfig:
    """Verify the server against `ca_pem` (PEM text) under the name `server_name` (None: the
    host the client dials, e.g. the runner's address a stack's certificate always names)."""

    ca_pem: str = field(repr=False)
    server_name: str | None = None

    def context(self) -> ssl.SSLContext:
        """A client context trusting only the given CA, hostname checked."""
        ctx = ssl.create_default_context(cadata=self.ca_pem)
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx


class JsonHttpClient:
    """Sends one JSON request per call to whatever `endpoint()` names now."""

    def __init__(self, endpoint: Endpoint, timeout_s: float, tls: TlsConfig | None = None):
        self._endpoint = endpoint
        self._timeout_s = timeout_s
        self._tls = tls
        self._ctx = tls.context() if tls is not None else None

    def _connection(self) -> http.client.HTTPConnection:
        host, port = self._endpoint()
        if self._ctx is None or self._tls is None:
            return http.client.HTTPConnection(host, port, timeout=self._timeout_s)
        name = self._tls.server_name or host
        return _VerifiedHTTPSConnection(host, port, name, self._ctx, self._timeout_s)

    def request(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> HttpReply:
        """One request; the reply whatever its status, or HttpAttemptError."""
        try:
            conn = self._connection()
        except (OSError, KeyError, HachaosError) as exc:
            raise HttpAttemptError(Outcome.FAIL, f"no endpoint: {type(exc).__name__}") from None
        sent = False
        try:
            conn.connect()  # TCP and the TLS handshake: nothing of the request is out yet
            sent = True
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            raw = resp.read(MAX_REPLY_BYTES + 1)
        except (OSError, http.client.HTTPException) as exc:
            raise no_reply(exc, sent=sent, checked_name=_checked_name(conn)) from None
        finally:
            conn.close()
        if len(raw) > MAX_REPLY_BYTES:
            raise HttpAttemptError(Outcome.UNKNOWN, f"reply larger than {MAX_REPLY_BYTES} bytes")
        return HttpReply(resp.status, _json_object(raw), resp.getheader(NODE_HEADER))


def no_reply(
    exc: OSError | http.client.HTTPException, *, sent: bool, checked_name: str
) -> HttpAttemptError:
    """What a request that got no reply means: ``fail`` when it was never sent, ``unknown``
    once (part of) it was. `checked_name` is the name a TLS certificate was checked for."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return HttpAttemptError(Outcome.FAIL, certificate_error(exc, checked_name))
    return HttpAttemptError(Outcome.UNKNOWN if sent else Outcome.FAIL, type(exc).__name__)


def certificate_error(exc: ssl.SSLCertVerificationError, checked_name: str) -> str:
    """One line naming why the server's certificate was refused and what to fix (only the
    verifier's reason and the checked name: no certificate or key material)."""
    reason = (exc.verify_message or "verification failed").rstrip(".")
    return (
        f"TLS certificate not trusted for '{checked_name}': {reason}; the server must present "
        f"a certificate for '{checked_name}' issued by the CA the client trusts (the run's CA: "
        "the stack's 'tls:' nodes and names; or the probe's 'ca' and 'server_name')"
    )


class _VerifiedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to (host, port) that verifies the certificate as `server_name` (the runner
    dials a published port on 127.0.0.1, while the certificate names the service)."""

    def __init__(
        self, host: str, port: int, server_name: str, context: ssl.SSLContext, timeout: float
    ) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.server_name = server_name
        self._verifying = context

    def connect(self) -> None:
        """TCP connect, then the TLS handshake with SNI and hostname check on the name."""
        sock = socket.create_connection((self.host, self.port), self.timeout)
        try:
            self.sock = self._verifying.wrap_socket(sock, server_hostname=self.server_name)
        except BaseException:
            sock.close()
            raise


def _checked_name(conn: http.client.HTTPConnection) -> str:
    return conn.server_name if isinstance(conn, _VerifiedHTTPSConnection) else conn.host


def _json_object(raw: bytes) -> Mapping[str, Any] | None:
    try:
        value = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None
