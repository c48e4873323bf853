"""HTTP probe: one GET per run, ok when the response has the expected status."""

from __future__ import annotations

from hachaos.clients.http import HttpAttemptError, JsonHttpClient
from hachaos.history import Outcome
from hachaos.probes.base import Attempt


class HttpGetProbe:
    """GET `path` through `client` (a fresh connection per attempt): ok on `expect_status`,
    fail on another status; a request without a reply is classified by the shared client
    (never sent: fail, e.g. refused or an untrusted certificate; sent: unknown)."""

    kind = "read"

    def __init__(
        self,
        client: JsonHttpClient,
        path: str,
        *,
        expect_status: int = 200,
        process: str = "probe",
    ) -> None:
        self.process = process
        self._client = client
        self._path = path
        self._expect = expect_status

    def attempt(self, seq: int) -> Attempt:
        """One GET; never raises."""
        try:
            reply = self._client.request("GET", self._path)
        except HttpAttemptError as exc:
            return Attempt(exc.outcome, exc.error)
        except Exception as exc:  # a probe never raises: anything else is indeterminate
            return Attempt(Outcome.UNKNOWN, type(exc).__name__)
        if reply.status != self._expect:
            return Attempt(Outcome.FAIL, f"HTTP {reply.status}", value=str(reply.status))
        return Attempt(Outcome.OK, value=str(reply.status))

    def close(self) -> None:
        """Nothing to release: each attempt uses its own connection."""
