"""`hachaos proxy serve`: run the embedded Toxiproxy-compatible server."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: Any) -> None:
    """Register `proxy` with its `serve` subcommand."""
    from hachaos.proxy.__main__ import build_parser

    parser = subparsers.add_parser(
        "proxy", help="the embedded Toxiproxy", description="The embedded Toxiproxy 2.x server."
    )
    actions = parser.add_subparsers(dest="proxy_command", required=True, metavar="ACTION")
    serve = actions.add_parser(
        "serve",
        help="serve the Toxiproxy HTTP API",
        description="Serve the Toxiproxy 2.x HTTP API and its proxies until interrupted.",
    )
    build_parser(serve)
    serve.set_defaults(func=serve_command)


def serve_command(args: argparse.Namespace) -> int:
    """Run the server in the foreground; HachaosError (port in use, bad config) propagates."""
    from hachaos.proxy.__main__ import run

    return run(args.host, args.port, args.config)
