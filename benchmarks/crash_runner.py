"""A runner that boots a 2-node tools stack, starts a reaper, injects ONE fault and blocks.

Used by `crash_cleanup.py` (and the reaper integration tests), which SIGKILL it while the fault
is active. Prints `run <id>` as soon as the id exists and `active <fault_id>` once injected.

    python benchmarks/crash_runner.py --type partition [--toxiproxy-url URL]
    python benchmarks/crash_runner.py --type pause --stack HOSTS.yaml --node redis-3
        (a hosts stack: attached, the fault on --node; links through the stack's Toxiproxy)
"""

from __future__ import annotations

import argparse
import random
import threading
from pathlib import Path

from pydantic import TypeAdapter

from hachaos.backends import get_backend
from hachaos.clock import REAL_CLOCK
from hachaos.faults.registry import FaultContext, build_faults
from hachaos.history import History
from hachaos.proxy.client import ToxiproxyClient
from hachaos.reaper import cleanup_runs, install_signal_cleanup, start_reaper
from hachaos.runid import new_run_id
from hachaos.spec.faults import FaultSpec
from hachaos.spec.loader import load_stack
from hachaos.spec.models import StackSpec
from hachaos.topology import resolver_for

TYPES = ("pause", "kill", "stop", "partition", "disconnect", "link", "link-down")

STACK = StackSpec.model_validate(
    {
        "name": "crash",
        "image": "hachaos/tools",
        "nodes": {"n1": {"role": "app"}, "n2": {"role": "app"}},
    }
)


def fault_spec(kind: str, link: str, node: str = "n1") -> FaultSpec:
    """The fault of `kind`, on `node` or on proxy `link`."""
    data: dict[str, object] = {"action": kind, "target": {"node": node}}
    if kind == "partition":
        data = {"action": "partition", "mode": "isolate", "target": {"node": node}}
    elif kind == "disconnect":
        data = {"action": "partition", "method": "disconnect", "target": {"node": node}}
    elif kind == "link":
        toxic = {"type": "latency", "attributes": {"latency": 500}}
        data = {"action": "link", "link": link, "toxic": toxic}
    elif kind == "link-down":
        data = {"action": "link", "link": link, "down": True}
    return TypeAdapter(FaultSpec).validate_python(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--type", choices=TYPES, required=True)
    parser.add_argument("--toxiproxy-url", default=None)
    parser.add_argument("--stack", default=None, help="a hosts stack file (else a tools stack)")
    parser.add_argument("--node", default="n1", help="the node the fault targets")
    parser.add_argument("--link", default=None, help="the link a link fault targets")
    args = parser.parse_args()
    spec = load_stack(Path(args.stack)) if args.stack else STACK
    backend = get_backend(spec.backend or "docker")
    run_id = new_run_id()
    print(f"run {run_id}", flush=True)
    # before the stack exists (or is attached): a crash during boot is cleaned up
    reaper = start_reaper(run_id, backend=backend.name)
    install_signal_cleanup(cleanup_runs(lambda: [run_id]))  # SIGINT/SIGTERM: revert + teardown
    stack = backend.up(spec, run_id)
    link = args.link or run_id
    if args.toxiproxy_url and not args.link:
        ToxiproxyClient(args.toxiproxy_url).create_proxy(run_id, "127.0.0.1:9", "127.0.0.1:0")
    ctx = FaultContext(
        stack,
        resolver_for(stack),
        History(),
        random.Random(0),
        REAL_CLOCK,
        toxiproxy_url=args.toxiproxy_url,
    )
    [fault] = build_faults(fault_spec(args.type, link, args.node), ctx)
    fault.inject()
    try:
        print(f"active {fault.fault_id} effective={fault.effective}", flush=True)
        threading.Event().wait()  # block until killed (SIGKILL) or signalled (SIGTERM/SIGINT)
    except KeyboardInterrupt:
        reaper.stand_down()
        print("cleaned up on signal", flush=True)


if __name__ == "__main__":
    main()
