"""TCP forwarding for the embedded Toxiproxy: listeners, connections and their two sockets.

Stdlib asyncio only. Each accepted client gets a `Connection` with two sockets (`Side`s) and two
one-way `Link`s (see `hachaos.proxy.link`): upstream (client→server) and downstream
(server→client), as in Toxiproxy. The end of stream is passed on as a half-close; when both
directions ended, both sockets close. Disabling a proxy stops its listener and drops every
connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Callable, Iterable

from hachaos.proxy.link import CONNECTING, WRITE_HIGH_WATER, Link, ToxicSpec
from hachaos.proxy.models import Stream, join_hostport, split_hostport


class Side(asyncio.Protocol):
    """One socket of a proxied connection; `out` is the link its bytes feed, `into` writes to it."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.transport: asyncio.Transport | None = None
        self.out: Link
        self.into: Link

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport; big buffers keep bulk transfers cheap."""
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.set_write_buffer_limits(high=WRITE_HIGH_WATER)

    def data_received(self, data: bytes) -> None:
        """The hot path: hand the bytes to the link."""
        link = self.out
        if link.runner is None:
            link.write(data)
        else:
            link.runner.push(data)

    def eof_received(self) -> bool:
        """The peer shut down its sending side: pass the half-close on, keep the socket."""
        self.out.feed_eof()
        return True

    def connection_lost(self, exc: Exception | None) -> None:
        """The socket is gone."""
        self.conn.side_lost(self)

    def pause_writing(self) -> None:
        """Our send buffer is full: stop reading the link's source."""
        self.into.set_dst_full(True)

    def resume_writing(self) -> None:
        """Our send buffer drained."""
        self.into.set_dst_full(False)


class ClientSide(Side):
    """The accepted socket; it starts the upstream dial."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Accepted: register the connection and dial upstream while not reading the client."""
        super().connection_made(transport)
        self.conn.client_connected()


class Connection:
    """A client socket, its upstream socket and the two links between them."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.loop = listener.loop
        self.client: Side = ClientSide(self)
        self.server = Side(self)
        self.links = {
            Stream.UPSTREAM: Link(self, Stream.UPSTREAM, self.client, self.server),
            Stream.DOWNSTREAM: Link(self, Stream.DOWNSTREAM, self.server, self.client),
        }
        self.closed = False
        self._dial: asyncio.Task[None] | None = None

    def client_connected(self) -> None:
        """Accepted: do not read the client until the upstream socket is there.

        The pause is deferred one loop turn: before CPython 3.11.3 (e.g. Debian's 3.11.2) a
        selector transport registers its reader right *after* `connection_made`, silently undoing
        a `pause_reading()` made inside it, so the client was read before upstream was wired.
        """
        self.loop.call_soon(self.links[Stream.UPSTREAM].block, CONNECTING)
        self.listener.connections.add(self)
        self._dial = self.loop.create_task(self.dial())

    async def dial(self) -> None:
        """Connect upstream; on failure close the client, as Toxiproxy does."""
        host, port = split_hostport(self.listener.upstream)
        try:
            await self.loop.create_connection(lambda: self.server, host, port)
        except OSError:
            self.close()
            return
        if self.closed:
            return
        for link in self.links.values():
            link.wire()
        for spec in self.listener.toxics():
            link = self.links[spec.direction]
            if spec.name not in link.toxics:  # not already attached while dialling
                link.attach(spec)
        self.links[Stream.UPSTREAM].unblock(CONNECTING)

    def link_done(self) -> None:
        """Both directions ended: close both sockets."""
        if all(link.done for link in self.links.values()):
            self.close()

    def side_lost(self, side: Side) -> None:
        """A socket closed: drop what was headed to it; drain what came from it, then close."""
        if self.closed:
            return
        side.transport = None
        side.into.drop()
        side.out.feed_eof()
        self.link_done()

    def close(self, *, reset: bool = False, abort: bool = False) -> None:
        """Close both sockets: gracefully (flushing), or abort, or with a TCP RST."""
        if self.closed:
            return
        self.closed = True
        self.listener.connections.discard(self)
        if self._dial is not None and not self._dial.done():
            self._dial.cancel()
        for link in self.links.values():
            link.close_toxics()
        for side in (self.client, self.server):
            _close_transport(side.transport, reset=reset, abort=abort)


def _close_transport(transport: asyncio.Transport | None, *, reset: bool, abort: bool) -> None:
    if transport is None or transport.is_closing():
        return
    if reset:
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        transport.abort()
    elif abort:
        transport.abort()
    else:
        transport.close()


class ListenError(OSError):
    """The proxy could not listen; the message is Toxiproxy's (`listen tcp ADDR: bind: ...`)."""


def bind(listen: str) -> socket.socket:
    """A non-blocking listening socket for `host:port` (port 0 picks a free one)."""
    try:
        host, port = split_hostport(listen)
        infos = socket.getaddrinfo(
            host or "0.0.0.0", port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )
    except (ValueError, socket.gaierror) as exc:
        raise ListenError(f"listen tcp {listen}: {exc}") from exc
    family, _, _, _, address = sorted(infos, key=lambda info: info[0] != socket.AF_INET)[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(1024)
    except OSError as exc:
        sock.close()
        reason = (exc.strerror or str(exc)).lower()
        raise ListenError(f"listen tcp {listen}: bind: {reason}") from exc
    sock.setblocking(False)
    return sock


class Listener:
    """The accepting half of one proxy; owns its live connections."""

    def __init__(self, upstream: str, toxics: Callable[[], Iterable[ToxicSpec]]) -> None:
        self.loop = asyncio.get_running_loop()
        self.upstream = upstream
        self.toxics = toxics
        self.connections: set[Connection] = set()
        self._server: asyncio.Server | None = None

    async def start(self, listen: str) -> str:
        """Listen on `listen`; returns the real address (`host:port`)."""
        sock = bind(listen)
        self._server = await self.loop.create_server(
            lambda: Connection(self).client, sock=sock, backlog=1024
        )
        host, port = sock.getsockname()[:2]
        return join_hostport(host, port)

    def stop(self) -> None:
        """Stop listening and drop every live connection (Toxiproxy's link "down")."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for conn in list(self.connections):
            conn.close(abort=True)

    def links(self, direction: Stream) -> list[Link]:
        """The live links of one direction."""
        return [c.links[direction] for c in self.connections if not c.closed]
