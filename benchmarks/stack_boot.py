"""Boot time, teardown time and memory of stacks (images already built), over N runs each.

python benchmarks/stack_boot.py [--stack NAME ...] [--param NAME=VALUE ...] [--runs 3]
                                [--writes 0] [--settle-s 0]

Per stack and run: the wall time of `up` until every node is ready, then (after `--writes`
writes through the load balancer's items API on port 80, when the stack has one, and
`--settle-s` seconds, to let background work such as a first checkpoint finish) one memory
sample of every container of the run, then the wall time of `down`. Memory from the engine's
cgroup statistics: RSS (anonymous memory of the container's processes: `total_rss` on cgroup
v1, `anon` on v2; no page cache), summed over the stack, and the working set (usage minus
inactive page cache, as `docker stats` shows it; it includes shared memory such as Postgres'
shared_buffers). `--param` applies to every stack given. Figures only, no targets asserted.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.docker.labels import run_filter
from hachaos.commands.up import parse_param
from hachaos.runid import new_run_id
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.spec.models import StackSpec
from hachaos.tls.run_files import forget_run_tls

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


@dataclass(frozen=True)
class Memory:
    """One container's memory, in bytes."""

    node: str
    rss: int
    working_set: int


@dataclass
class Runs:
    """What the runs of one stack measured."""

    boots: list[float] = field(default_factory=list)
    downs: list[float] = field(default_factory=list)
    rss: list[float] = field(default_factory=list)
    working: list[float] = field(default_factory=list)
    last: list[Memory] = field(default_factory=list)
    acked: int | None = None


def memory_of(stats: dict[str, Any], node: str) -> Memory:
    """RSS and working set from one stats sample (cgroup v1 or v2 field names)."""
    mem = stats.get("memory_stats") or {}
    detail = mem.get("stats") or {}
    rss = detail.get("total_rss", detail.get("rss", detail.get("anon", 0)))
    inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
    return Memory(node, int(rss), int(mem.get("usage", 0)) - int(inactive))


def run_memory(backend: DockerBackend, run_id: str) -> list[Memory]:
    """Every container of the run, one sample each, read in parallel."""
    api = backend.api
    containers = api.containers(filters=run_filter(run_id))

    def sample(c: dict[str, Any]) -> Memory:
        stats = api.stats(c["Id"], stream=False, one_shot=True)
        return memory_of(stats, c["Labels"].get("io.hachaos.node", c["Names"][0]))

    with ThreadPoolExecutor(max_workers=max(1, len(containers))) as pool:
        return sorted(pool.map(sample, containers), key=lambda m: m.node)


def write_items(stack: RunningStack, writes: int) -> int | None:
    """POST `writes` items through the load balancer's port 80; the number acknowledged (None:
    the stack has no load balancer publishing 80)."""
    lb = next((n for n in stack.nodes.values() if n.role == "lb"), None)
    if lb is None or 80 not in lb.address().published:
        return None
    host, port = lb.address().host_port(80)
    ok = 0
    for i in range(writes):
        conn = http.client.HTTPConnection(host, port, timeout=5)
        try:
            conn.request("POST", "/items", json.dumps({"key": f"bench:{i}", "value": "x" * 100}))
            ok += conn.getresponse().status == 201
        except OSError:
            pass
        finally:
            conn.close()
    return ok


def measure(backend: DockerBackend, spec: StackSpec, args: argparse.Namespace) -> Runs:
    """`args.runs` boots of `spec`, each measured and torn down."""
    runs = Runs()
    for _ in range(args.runs):
        run_id = new_run_id()
        t0 = time.monotonic()
        try:
            stack = backend.up(spec, run_id)
            runs.boots.append(time.monotonic() - t0)
            runs.acked = write_items(stack, args.writes)
            if args.settle_s:
                threading.Event().wait(args.settle_s)  # a chosen measuring point, not a poll
            runs.last = run_memory(backend, run_id)
            runs.rss.append(sum(m.rss for m in runs.last) / MIB)
            runs.working.append(sum(m.working_set for m in runs.last) / MIB)
        finally:
            t1 = time.monotonic()
            backend.down(run_id)
            runs.downs.append(time.monotonic() - t1)
            forget_run_tls(run_id)
    return runs


def spread(name: str, values: list[float], unit: str = "s") -> str:
    """Median, min, max and every value of one measure."""
    if not values:
        return f"{name:9} no value"
    return (
        f"{name:9} median {statistics.median(values):7.2f}{unit}  min {min(values):7.2f}{unit}  "
        f"max {max(values):7.2f}{unit}  ({', '.join(f'{v:.2f}' for v in values)})"
    )


def report(name: str, spec: StackSpec, runs: Runs, args: argparse.Namespace) -> None:
    """The figures of one stack."""
    values = ", ".join(f"{k}={v}" for k, v in spec.parameter_values.items())
    print(
        f"stack {name} ({values or 'no parameters'}), {len(spec.nodes)} declared nodes, "
        f"{args.runs} runs"
    )
    print(spread("boot", runs.boots))
    print(spread("teardown", runs.downs))
    print(spread("rss", runs.rss, " MiB"))
    print(spread("working", runs.working, " MiB"))
    if args.writes and runs.acked is None:
        print("writes    none: no load balancer publishing port 80 (items API)")
    elif args.writes:
        print(f"writes    {runs.acked}/{args.writes} acknowledged before the sample (last run)")
    print("last run, rss/working per container (MiB):")
    for m in sorted(runs.last, key=lambda m: -m.rss):
        print(f"  {m.node:16} {m.rss / MIB:7.1f} / {m.working_set / MIB:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", action="append", help="a stack of fixtures/stacks; repeatable")
    parser.add_argument("--param", action="append", type=parse_param, default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writes", type=int, default=0, help="items written before the sample")
    parser.add_argument("--settle-s", type=float, default=0.0)
    args = parser.parse_args()
    backend = DockerBackend()
    for name in args.stack or ["redis-sentinel"]:
        spec = load_stack(REPO / "fixtures" / "stacks" / f"{name}.yaml", dict(args.param))
        report(name, spec, measure(backend, spec, args), args)


if __name__ == "__main__":
    main()
