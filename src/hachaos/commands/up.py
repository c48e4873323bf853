"""`hachaos up STACK`: boot a stack by hand and leave it running."""

from __future__ import annotations

import argparse
from pathlib import Path

from hachaos.backends import DEFAULT_BACKEND, get_backend
from hachaos.errors import ConfigError, Problem
from hachaos.runid import new_run_id
from hachaos.spec.loader import find_stack_file, load_stack, stack_search_dirs
from hachaos.spec.models import StackSpec
from hachaos.targets import require_named


def resolve_stack_path(name_or_path: str, extra: list[Path]) -> Path:
    """A stack given by file path or by name (looked up in fixtures/stacks)."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate
    dirs = stack_search_dirs(Path.cwd(), extra)
    found = find_stack_file(name_or_path, dirs)
    if found is None:
        where = ", ".join(map(str, dirs)) or "no fixtures/stacks directory here"
        raise ConfigError(
            [Problem("<command line>", 1, f"unknown stack '{name_or_path}' (looked in {where})")]
        )
    return found


def parse_param(text: str) -> tuple[str, int | str]:
    """`NAME=VALUE` (an integer VALUE is an integer) for argparse."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, int(value) if value.lstrip("-").isdigit() else value


def attach_hosts(stack: StackSpec, targets: list[str]) -> int:
    """A hosts stack is not booted: check that it is named, every host answers and every
    service runs and is ready, and print each node's main process."""
    from hachaos.backends.hosts.backend import HostsBackend

    require_named(stack, targets, "--target")
    backend = HostsBackend()
    try:
        nodes = backend.reach(stack)
        print(f"stack {stack.name}: {len(nodes)} nodes attached and ready")
        for name, node in nodes.items():
            status = node.status()
            print(f"  {name:14} {node.role:9} {node.plan.display:32} pid {status.pid}")
    finally:
        backend.pool.close()
    return 0


def run(args: argparse.Namespace) -> int:
    """Boot the stack and print its run id and node addresses (a hosts stack: attach)."""
    values = dict(args.param) if args.param else None
    stack = load_stack(resolve_stack_path(args.stack, args.stacks), values)
    if stack.on_hosts:
        return attach_hosts(stack, args.target)
    run_id = args.run_id or new_run_id()
    running = get_backend(args.backend).up(stack, run_id)
    print(f"{run_id}: stack {stack.name} up in {running.boot_s:.2f}s")
    for name, node in running.nodes.items():
        addr = node.address()
        ports = " ".join(f"{c}->{h}:{p}" for c, (h, p) in sorted(addr.published.items()))
        print(f"  {name:14} {node.role:9} {addr.ip or '-':15} {ports}")
    if running.tls is not None:
        names = ", ".join(running.tls.names)
        print(f"  TLS: server certificate for {names}; trust CA {running.tls.ca_path}")
    print(f"tear down with: hachaos down {run_id}")
    return 0


def add_parser(subs: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `up`."""
    p = subs.add_parser(
        "up", help="boot a stack and leave it running (a hosts stack: check it can be attached)"
    )
    p.add_argument(
        "stack", metavar="STACK", help="stack name (fixtures/stacks/NAME.yaml) or file path"
    )
    p.add_argument("--backend", default=DEFAULT_BACKEND)
    p.add_argument("--run-id", default=None, help="use this run id instead of a new one")
    p.add_argument("--stacks", action="append", type=Path, default=[], metavar="DIR")
    p.add_argument(
        "--param",
        action="append",
        type=parse_param,
        default=[],
        metavar="NAME=VALUE",
        help="a stack parameter's value, e.g. size=5 (default: the stack's defaults)",
    )
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="NAME",
        help="a hosts stack (existing deployment) is only attached when named here",
    )
    p.set_defaults(func=run)
