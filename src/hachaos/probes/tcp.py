"""TCP connect probe: one connection attempt per run, closed at once."""

from __future__ import annotations

import socket

from hachaos.history import Outcome
from hachaos.probes.base import Attempt


class TcpConnectProbe:
    """Connect to (host, port): ok when the handshake completes, fail when refused, unknown on
    timeout (the peer may be there but slow)."""

    kind = "connect"

    def __init__(self, host: str, port: int, timeout_s: float, process: str = "probe") -> None:
        self.process = process
        self._addr = (host, port)
        self._timeout_s = timeout_s

    def attempt(self, seq: int) -> Attempt:
        """One connect; never raises."""
        try:
            with socket.create_connection(self._addr, timeout=self._timeout_s):
                pass
        except TimeoutError as exc:
            return Attempt(Outcome.UNKNOWN, type(exc).__name__)
        except OSError as exc:
            return Attempt(Outcome.FAIL, type(exc).__name__)
        return Attempt(Outcome.OK)

    def close(self) -> None:
        """Nothing to release."""
