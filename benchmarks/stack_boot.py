"""Boot and teardown time of a stack (images already built), over N runs, and the memory its
containers use once booted.

python benchmarks/stack_boot.py [--stack redis-sentinel] [--runs 5] [--settle-s 5]

Memory is read from the engine's stats of every container of the run once it is ready (or
`--settle-s` later, to let background work such as a first checkpoint finish): RSS (anonymous
memory of the container's processes) and the working set (usage minus inactive page cache, as
`docker stats` shows it; it includes shared memory such as Postgres' shared_buffers).
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.docker.labels import run_filter
from hachaos.runid import new_run_id
from hachaos.spec.loader import load_stack

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


@dataclass(frozen=True)
class Memory:
    """One container's memory, in bytes."""

    node: str
    rss: int
    working_set: int


def memory_of(stats: dict[str, Any], node: str) -> Memory:
    """RSS and working set from one stats sample (cgroup v1 or v2 field names)."""
    mem = stats.get("memory_stats") or {}
    detail = mem.get("stats") or {}
    rss = detail.get("total_rss", detail.get("rss", detail.get("anon", 0)))
    inactive = detail.get("total_inactive_file", detail.get("inactive_file", 0))
    return Memory(node, int(rss), int(mem.get("usage", 0)) - int(inactive))


def run_memory(backend: DockerBackend, run_id: str) -> list[Memory]:
    """Every container of the run, sampled once."""
    api = backend.api
    out = []
    for c in api.containers(filters=run_filter(run_id)):
        stats = api.stats(c["Id"], stream=False, one_shot=True)
        out.append(memory_of(stats, c["Labels"].get("io.hachaos.node", c["Names"][0])))
    return sorted(out, key=lambda m: m.node)


def stats(name: str, values: list[float], unit: str = "s") -> str:
    return (
        f"{name:9} median {statistics.median(values):7.2f}{unit}  min {min(values):7.2f}{unit}  "
        f"max {max(values):7.2f}{unit}  ({', '.join(f'{v:.2f}' for v in values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", default="redis-sentinel")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--settle-s", type=float, default=0.0)
    args = parser.parse_args()
    spec = load_stack(REPO / "fixtures" / "stacks" / f"{args.stack}.yaml")
    backend = DockerBackend()
    boots, downs, rss, working = [], [], [], []
    last: list[Memory] = []
    for _ in range(args.runs):
        run_id = new_run_id()
        t0 = time.monotonic()
        try:
            backend.up(spec, run_id)
            boots.append(time.monotonic() - t0)
            if args.settle_s:
                threading.Event().wait(args.settle_s)  # a chosen measuring point, not a poll
            last = run_memory(backend, run_id)
            rss.append(sum(m.rss for m in last) / MIB)
            working.append(sum(m.working_set for m in last) / MIB)
        finally:
            t1 = time.monotonic()
            backend.down(run_id)
            downs.append(time.monotonic() - t1)
    print(f"stack {args.stack}, {args.runs} runs, {len(spec.nodes)} declared nodes")
    print(stats("boot", boots))
    print(stats("teardown", downs))
    print(stats("rss", rss, " MiB"))
    print(stats("working", working, " MiB"))
    per_node = (f"{m.node} {m.rss / MIB:.0f}/{m.working_set / MIB:.0f} MiB" for m in last)
    print("last run, rss/working per container: " + ", ".join(per_node))


if __name__ == "__main__":
    main()
