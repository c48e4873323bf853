"""A runner that boots a 2-node tools stack, starts a reaper, injects ONE fault and blocks.

Used by `crash_cleanup.py` (and the reaper integration test), which SIGKILLs it while the fault
is active. Prints `run <id>` as soon as the id exists and `active <fault_id>` once injected.

    python benchmarks/crash_runner.py --type partition [--toxiproxy-url URL]
"""

from __future__ import annotations

import argparse
import random
import threading

from pydantic import TypeAdapter

from hachaos.backends import get_backend
from hachaos.clock import REAL_CLOCK
from hachaos.faults.registry import FaultContext, build_faults
from hachaos.history import History
from hachaos.proxy.client import ToxiproxyClient
from hachaos.reaper import cleanup_runs, install_signal_cleanup, start_reaper
from hachaos.runid import new_run_id
from hachaos.spec.faults import FaultSpec
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


def fault_spec(kind: str, run_id: str) -> FaultSpec:
    """The fault of `kind`, on node n1 or on proxy `<run_id>`."""
    data: dict[str, object] = {"action": kind, "target": {"node": "n1"}}
    if kind == "partition":
        data = {"action": "partition", "mode": "isolate", "target": {"node": "n1"}}
    elif kind == "disconnect":
        data = {"action": "partition", "method": "disconnect", "target": {"node": "n1"}}
    elif kind == "link":
        toxic = {"type": "latency", "attributes": {"latency": 500}}
        data = {"action": "link", "link": run_id, "toxic": toxic}
    elif kind == "link-down":
        data = {"action": "link", "link": run_id, "down": True}
    return TypeAdapter(FaultSpec).validate_python(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--type", choices=TYPES, required=True)
    parser.add_argument("--toxiproxy-url", default=None)
    args = parser.parse_args()
    run_id = new_run_id()
    print(f"run {run_id}", flush=True)
    reaper = start_reaper(run_id)  # before the stack exists: a crash during boot is cleaned up
    install_signal_cleanup(cleanup_runs(lambda: [run_id]))  # SIGINT/SIGTERM: revert + teardown
    stack = get_backend("docker").up(STACK, run_id)
    if args.toxiproxy_url:
        ToxiproxyClient(args.toxiproxy_url).create_proxy(run_id, "127.0.0.1:9", "127.0.0.1:0")
    ctx = FaultContext(
        stack,
        resolver_for(stack),
        History(),
        random.Random(0),
        REAL_CLOCK,
        toxiproxy_url=args.toxiproxy_url,
    )
    [fault] = build_faults(fault_spec(args.type, run_id), ctx)
    fault.inject()
    try:
        print(f"active {fault.fault_id} effective={fault.effective}", flush=True)
        threading.Event().wait()  # block until killed (SIGKILL) or signalled (SIGTERM/SIGINT)
    except KeyboardInterrupt:
        reaper.stand_down()
        print("cleaned up on signal", flush=True)


if __name__ == "__main__":
    main()
