"""Benchmark the embedded Toxiproxy on loopback: direct vs through the proxy (no toxics).

    /tmp/hv/bin/python benchmarks/proxy_bench.py [--quick]

Starts an echo/sink server and the proxy (`python -m hachaos.proxy`) as subprocesses, then
measures from this process: 64-byte round trips on one connection (p50/p99 µs, req/s), a new
connection per request (req/s, p50), 8 concurrent connections (total req/s), bulk upload MiB/s.
Every phase is bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PAYLOAD = b"x" * 64
BULK_CHUNK = 1024 * 1024


# -- upstream servers (run in a subprocess) ------------------------------------------------------
class Echo(asyncio.Protocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(data)  # type: ignore[attr-defined]


class Sink(asyncio.Protocol):
    """Counts bytes until EOF, then answers with the count (8 bytes) and closes."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport, self.count = transport, 0

    def data_received(self, data: bytes) -> None:
        self.count += len(data)

    def eof_received(self) -> bool:
        self.transport.write(self.count.to_bytes(8, "big"))  # type: ignore[attr-defined]
        self.transport.close()
        return True


async def _serve_upstreams() -> None:
    loop = asyncio.get_running_loop()
    echo = await loop.create_server(Echo, "127.0.0.1", 0)
    sink = await loop.create_server(Sink, "127.0.0.1", 0)
    ports = [s.sockets[0].getsockname()[1] for s in (echo, sink)]
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


# -- client measurements ---------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    p50_us: float = 0.0
    p99_us: float = 0.0
    rate: float = 0.0


def _connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def _round_trip(sock: socket.socket) -> None:
    sock.sendall(PAYLOAD)
    got = 0
    while got < len(PAYLOAD):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed mid round trip")
        got += len(chunk)


def _timed(op: Callable[[], None], count: int, budget_s: float) -> Result:
    samples: list[int] = []
    deadline = time.perf_counter() + budget_s
    start = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter_ns()
        op()
        samples.append(time.perf_counter_ns() - t0)
        if time.perf_counter() > deadline:
            break
    elapsed = time.perf_counter() - start
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
    return Result(statistics.median(samples) / 1000, p99 / 1000, len(samples) / elapsed)


def ping_pong(port: int, count: int) -> Result:
    with _connect(port) as sock:
        for _ in range(200):
            _round_trip(sock)  # warm up
        return _timed(lambda: _round_trip(sock), count, 5.0)


def connect_per_request(port: int, count: int) -> Result:
    def once() -> None:
        with _connect(port) as sock:
            _round_trip(sock)

    return _timed(once, count, 5.0)


def concurrent(port: int, connections: int, seconds: float) -> Result:
    async def worker(stop: float, counts: list[int]) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        done = 0
        while time.perf_counter() < stop:
            writer.write(PAYLOAD)
            await reader.readexactly(len(PAYLOAD))
            done += 1
        counts.append(done)
        writer.close()

    async def main() -> float:
        counts: list[int] = []
        start = time.perf_counter()
        await asyncio.gather(*(worker(start + seconds, counts) for _ in range(connections)))
        return sum(counts) / (time.perf_counter() - start)

    return Result(rate=asyncio.run(main()))


def bulk(port: int, mebibytes: int) -> Result:
    block = memoryview(b"\0" * BULK_CHUNK)
    with _connect(port) as sock:
        start = time.perf_counter()
        for _ in range(mebibytes):
            sock.sendall(block)
        sock.shutdown(socket.SHUT_WR)
        reply = b""
        while len(reply) < 8:
            chunk = sock.recv(8)
            if not chunk:
                break
            reply += chunk
        elapsed = time.perf_counter() - start
    received = int.from_bytes(reply, "big") if len(reply) == 8 else -1
    if received != mebibytes * BULK_CHUNK:
        raise RuntimeError(f"sink counted {received} bytes, sent {mebibytes * BULK_CHUNK}")
    return Result(rate=mebibytes / elapsed)


# -- processes -------------------------------------------------------------------------------
def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    return env


@contextmanager
def _process(args: list[str]) -> Iterator[tuple[subprocess.Popen[str], str]]:
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stdout is not None
        line = _readline(proc, timeout=10.0)
        yield proc, line
    finally:
        proc.terminate()
        proc.wait(5)


def _readline(proc: subprocess.Popen[str], timeout: float) -> str:
    box: list[str] = []
    stdout = proc.stdout
    if stdout is None:
        raise RuntimeError(f"{proc.args!r} was started without a stdout pipe")
    reader = threading.Thread(target=lambda: box.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    if not box or not box[0]:
        raise RuntimeError(f"{proc.args!r} printed nothing within {timeout:g}s")
    return box[0].strip()


def _api(url: str, path: str, body: object) -> dict[str, object]:
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        reply: dict[str, object] = json.loads(response.read())
        return reply


def _proxy_port(url: str, name: str, upstream: int) -> int:
    body = {"name": name, "listen": "127.0.0.1:0", "upstream": f"127.0.0.1:{upstream}"}
    return int(str(_api(url, "/proxies", body)["listen"]).rsplit(":", 1)[1])


# -- report ----------------------------------------------------------------------------------
def run(quick: bool) -> list[tuple[str, str, str, str]]:
    scale = 0.2 if quick else 1.0
    rows: list[tuple[str, str, str, str]] = []
    with (
        _process([__file__, "--upstreams"]) as (_, ports_line),
        _process(["-m", "hachaos.proxy", "--port", "0"]) as (_, api_line),
    ):
        echo, sink = json.loads(ports_line)
        url = api_line.rsplit(" ", 1)[1]
        via = {"direct": (echo, sink)}
        via["proxy"] = (_proxy_port(url, "echo", echo), _proxy_port(url, "sink", sink))
        results = {name: _measure(e, s, scale) for name, (e, s) in via.items()}
    for metric in results["direct"]:
        d, p = results["direct"][metric], results["proxy"][metric]
        rows.append((metric, d, p, ""))
    return rows


def _measure(echo: int, sink: int, scale: float) -> dict[str, str]:
    pp = ping_pong(echo, int(20_000 * scale))
    cpr = connect_per_request(echo, int(2_000 * scale))
    conc = concurrent(echo, 8, 2.0 * scale)
    blk = bulk(sink, int(512 * scale))
    return {
        "64B round trip p50 (µs)": f"{pp.p50_us:.0f}",
        "64B round trip p99 (µs)": f"{pp.p99_us:.0f}",
        "64B round trips/s, 1 conn": f"{pp.rate:,.0f}",
        "new conn per request/s": f"{cpr.rate:,.0f}",
        "new conn per request p50 (µs)": f"{cpr.p50_us:.0f}",
        "8 conns total req/s": f"{conc.rate:,.0f}",
        "bulk upload MiB/s": f"{blk.rate:,.0f}",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a fifth of the counts")
    parser.add_argument("--upstreams", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.upstreams:
        asyncio.run(_serve_upstreams())
        return 0
    rows = run(args.quick)
    width = max(len(r[0]) for r in rows)
    print(f"{'metric':<{width}}  {'direct':>10}  {'proxy':>10}")
    for metric, direct, proxied, _ in rows:
        print(f"{metric:<{width}}  {direct:>10}  {proxied:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
