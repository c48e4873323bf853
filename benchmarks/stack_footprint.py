"""Boot time and memory of a stack (images already built), over N runs: the time until every
node is ready, then the total resident memory of its containers after `--writes` writes
through the items API (when the stack has one), per node and in total.

python benchmarks/stack_footprint.py --stack quorum --param size=5 --runs 3 [--writes 200]

Memory is each container's anonymous resident memory from the engine's cgroup statistics
(`total_rss` on cgroup v1, `anon` on v2: no page cache), summed over the stack. Figures only;
the issue's targets (quorum of 5: boot <= 30 s, <= 1 GiB) are printed next to them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.docker.labels import container_name, new_run_id
from hachaos.commands.up import parse_param
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.tls.run_files import forget_run_tls

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


def rss_bytes(stats: dict[str, Any]) -> int:
    """Anonymous resident memory of one container from its engine statistics."""
    mem = stats.get("memory_stats", {}).get("stats", {})
    for key in ("total_rss", "rss", "anon"):
        if key in mem:
            return int(mem[key])
    return 0


def footprint(backend: DockerBackend, stack: RunningStack) -> dict[str, int]:
    """RSS per node, read in parallel (one engine statistics sample each)."""
    api = backend.api
    ids = {name: container_name(stack.run_id, name) for name in stack.nodes}
    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        found = pool.map(lambda cid: rss_bytes(api.stats(cid, stream=False)), ids.values())
        return dict(zip(ids, found, strict=True))


def write_items(stack: RunningStack, writes: int) -> int:
    """POST `writes` items through the load balancer's port 80; the number acknowledged."""
    lb = next((n for n in stack.nodes.values() if n.role == "lb"), None)
    if lb is None or 80 not in lb.address().published or writes == 0:
        return 0
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


def spread(values: list[float], unit: str) -> str:
    return (
        f"median {statistics.median(values):7.2f}{unit}  min {min(values):7.2f}{unit}  "
        f"max {max(values):7.2f}{unit}  ({', '.join(f'{v:.2f}' for v in values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", default="quorum")
    parser.add_argument("--param", action="append", type=parse_param, default=[])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    spec = load_stack(REPO / "fixtures" / "stacks" / f"{args.stack}.yaml", dict(args.param))
    backend = DockerBackend()
    boots: list[float] = []
    totals: list[float] = []
    last: dict[str, int] = {}
    acked = 0
    for _ in range(args.runs):
        run_id = new_run_id()
        try:
            stack = backend.up(spec, run_id)
            boots.append(stack.boot_s)
            acked = write_items(stack, args.writes)
            last = footprint(backend, stack)
            totals.append(sum(last.values()) / MIB)
        finally:
            backend.down(run_id)
            forget_run_tls(run_id)
    values = ", ".join(f"{k}={v}" for k, v in spec.parameter_values.items())
    nodes = len(spec.nodes)
    print(f"stack {args.stack} ({values or 'no parameters'}), {nodes} nodes, {args.runs} runs")
    print(f"boot      {spread(boots, 's')}")
    print(f"RSS total {spread(totals, ' MiB')}  after {acked}/{args.writes} writes (last run)")
    for name, rss in sorted(last.items(), key=lambda kv: -kv[1]):
        print(f"  {name:12} {rss / MIB:7.1f} MiB")


if __name__ == "__main__":
    main()
