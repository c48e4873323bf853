"""HTTP probe: one GET per run, ok when the response has the expected status."""

from __future__ import annotations

import http.client
import ssl

from hachaos.history import Outcome
from hachaos.probes.base import Attempt


class HttpGetProbe:
    """GET `path` on (host, port) on a fresh connection: ok on `expect_status`, fail on another
    status or a refused connection, unknown on a timeout or a connection lost mid-response.
    With `tls`, over HTTPS verified by that context (a certificate it does not trust fails
    the handshake: fail, never ok)."""

    kind = "read"

    def __init__(
        self,
        host: str,
        port: int,
        path: str,
        timeout_s: float,
        *,
        expect_status: int = 200,
        process: str = "probe",
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.process = process
        self._host, self._port, self._path = host, port, path
        self._tls = tls
        self._timeout_s = timeout_s
        self._expect = expect_status

    def attempt(self, seq: int) -> Attempt:
        """One GET; never raises."""
        conn = self._connection()
        sent = False
        try:
            conn.connect()
            sent = True
            conn.request("GET", self._path)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException) as exc:
            late = sent or isinstance(exc, TimeoutError)  # a refused handshake is not late
            return Attempt(Outcome.UNKNOWN if late else Outcome.FAIL, type(exc).__name__)
        finally:
            conn.close()
        if resp.status != self._expect:
            return Attempt(Outcome.FAIL, f"HTTP {resp.status}", value=str(resp.status))
        return Attempt(Outcome.OK, value=str(resp.status))

    def _connection(self) -> http.client.HTTPConnection:
        if self._tls is None:
            return http.client.HTTPConnection(self._host, self._port, timeout=self._timeout_s)
        return http.client.HTTPSConnection(
            self._host, self._port, timeout=self._timeout_s, context=self._tls
        )

    def close(self) -> None:
        """Nothing to release: each attempt uses its own connection."""
