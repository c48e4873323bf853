"""`python3 -m hachaos.proxy --host 0.0.0.0 --port 8474 [--config FILE]`: the embedded Toxiproxy."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hachaos.errors import HachaosError
from hachaos.usage import OneLineParser

if TYPE_CHECKING:
    from hachaos.proxy.server import ToxiproxyServer


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """Options shared by `python -m hachaos.proxy` and `hachaos proxy serve`."""
    parser = parser or OneLineParser(prog="python -m hachaos.proxy", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="API address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8474, help="API port (default 8474)")
    parser.add_argument(
        "--config", type=Path, default=None, help="JSON list of proxies, as for POST /populate"
    )
    return parser


async def serve(host: str, port: int, config: Path | None) -> None:
    """Run the server until cancelled, printing one line when it listens."""
    from hachaos.proxy.server import ToxiproxyServer

    server = ToxiproxyServer(host, port)
    await server.start()
    try:
        if config is not None:
            count = await server.populate(config)
            print(f"populated {count} proxies from {config}", flush=True)
        print(f"toxiproxy API listening on {server.url}", flush=True)
        await _until_terminated(server)
    finally:
        await server.close()


async def _until_terminated(server: ToxiproxyServer) -> None:
    """Serve until SIGTERM/SIGINT (a clean exit 0 for `docker stop`) or cancellation."""
    loop = asyncio.get_running_loop()
    stop: asyncio.Future[None] = loop.create_future()

    def _stop() -> None:
        if not stop.done():
            stop.set_result(None)

    for signum in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signum, _stop)
    serving = asyncio.ensure_future(server.serve_forever())
    try:
        await asyncio.wait((serving, stop), return_when=asyncio.FIRST_COMPLETED)
    finally:
        serving.cancel()


def run(host: str, port: int, config: Path | None) -> int:
    """Serve until interrupted; uses uvloop when importable."""
    runner = _uvloop_run() or asyncio.run
    try:
        runner(serve(host, port, config))
    except KeyboardInterrupt:
        return 0
    return 0


def _uvloop_run() -> Callable[[Coroutine[Any, Any, None]], None] | None:
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        return None
    return uvloop.run  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; errors are one line on stderr."""
    args = build_parser().parse_args(argv)
    try:
        return run(args.host, args.port, args.config)
    except HachaosError as exc:
        print(f"hachaos.proxy: error: {exc}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
