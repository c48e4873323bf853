"""HTTP probe: one GET per run, ok when the response has the expected status."""

from __future__ import annotations

import http.client

from hachaos.history import Outcome
from hachaos.probes.base import Attempt


class HttpGetProbe:
    """GET `path` on (host, port) on a fresh connection: ok on `expect_status`, fail on another
    status or a refused connection, unknown on a timeout or a connection lost mid-response."""

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
    ) -> None:
        self.process = process
        self._host, self._port, self._path = host, port, path
        self._timeout_s = timeout_s
        self._expect = expect_status

    def attempt(self, seq: int) -> Attempt:
        """One GET; never raises."""
        conn = http.client.HTTPConnection(self._host, self._port, timeout=self._timeout_s)
        sent = False
        try:
            conn.connect()
            sent = True
            conn.request("GET", self._path)
            resp = conn.getresponse()
            resp.read()
        except (OSError, http.client.HTTPException) as exc:
            late = sent or isinstance(exc, TimeoutError)
            return Attempt(Outcome.UNKNOWN if late else Outcome.FAIL, type(exc).__name__)
        finally:
            conn.close()
        if resp.status != self._expect:
            return Attempt(Outcome.FAIL, f"HTTP {resp.status}", value=str(resp.status))
        return Attempt(Outcome.OK, value=str(resp.status))

    def close(self) -> None:
        """Nothing to release: each attempt uses its own connection."""
