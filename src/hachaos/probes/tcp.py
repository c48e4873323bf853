"""TCP connect probe: one connection attempt per run, closed at once."""

from __future__ import annotations

import socket

from hachaos.history import Outcome
from hachaos.probes.base import Attempt

PEEK_S = 0.025  # how long a connection must stay open to count: a proxy closes at once


class TcpConnectProbe:
    """Connect to (host, port): ok when the handshake completes and the connection is not
    closed at once, fail when refused or closed, unknown on timeout (the peer may be slow).

    A proxy in front of a dead service (Docker's userland proxy, an HAProxy without a live
    server) accepts the handshake and then closes; counting that as ok would call a dead
    service available, so the probe peeks for an immediate EOF.
    """

    kind = "connect"

    def __init__(self, host: str, port: int, timeout_s: float, process: str = "probe") -> None:
        self.process = process
        self._addr = (host, port)
        self._timeout_s = timeout_s

    def attempt(self, seq: int) -> Attempt:
        """One connect; never raises."""
        try:
            with socket.create_connection(self._addr, timeout=self._timeout_s) as sock:
                if closed_at_once(sock):
                    return Attempt(Outcome.FAIL, "ConnectionClosed: accepted, then closed")
        except TimeoutError as exc:
            return Attempt(Outcome.UNKNOWN, type(exc).__name__)
        except OSError as exc:
            return Attempt(Outcome.FAIL, type(exc).__name__)
        return Attempt(Outcome.OK)

    def close(self) -> None:
        """Nothing to release."""


def closed_at_once(sock: socket.socket, settle_s: float = PEEK_S) -> bool:
    """True when the peer closes (or resets) within `settle_s`; silence or data is a live peer.

    Also what readiness uses to see through Docker's userland proxy."""
    sock.settimeout(settle_s)
    try:
        return sock.recv(1, socket.MSG_PEEK) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True
