"""The CI-platform stack, measured (figures only, never timed assertions).

python benchmarks/platform_stack.py [--runs 3] [--probe-s 20] [--load-s 20] [--users 8]
                                   [--boot-only]

Per run: boot time (images built) and teardown time, and the boot's timeline: per node when it
was created, started (once what it waits for was ready) and ready, and the critical path (from
the node ready last back through the wait that held each start back), and where the CPU went
meanwhile (the whole host, each container with the checks run in it, the Docker engine's own
processes). On the first run, with
the stack up (the probe and the load not with `--boot-only`):
- memory: the sum of every container's resident memory (Docker's `memory_stats.usage` minus
  the inactive page cache, as `docker stats` shows it), and the largest containers;
- the build probe's resolution: the probe alone for `--probe-s` s (one enqueue every 100 ms over
  HTTPS through the load balancer); a recovery's ± is the gap between the last failed op's start
  and the recovering op's end, so it is at least the interval between op starts plus one op's
  latency: reported as the median start-to-start gap + the median latency (and p99);
- acknowledged builds per second under load: `--users` locust users (a child process) POSTing
  /builds as fast as answered for `--load-s` s, 201s per second, then how long the workers need
  to finish them (build ledger).
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import time
from pathlib import Path
from typing import Any

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.docker.labels import new_run_id
from hachaos.boot_timeline import critical_path, format_timeline
from hachaos.checks.latency import percentile
from hachaos.clients.http import JsonHttpClient
from hachaos.history import History, Outcome
from hachaos.probes.build import BuildProbe
from hachaos.probes.http_wiring import endpoint_of
from hachaos.probes.runner import ProbeRunner
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.spec.models import EntrySpec
from hachaos.tls.client import run_server_name, run_tls_config
from hachaos.topology.patroni import entry_target
from hachaos.workloads.http_load import HttpLoad

REPO = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


def spread(name: str, values: list[float], unit: str = "s") -> str:
    return (
        f"{name:10} median {statistics.median(values):6.2f}{unit}  min {min(values):6.2f}{unit}  "
        f"max {max(values):6.2f}{unit}  ({', '.join(f'{v:.2f}' for v in values)})"
    )


ENGINE = ("dockerd", "containerd", "containerd-shim")  # /proc comm names (15 chars at most)
TICK = os.sysconf("SC_CLK_TCK")


def engine_cpu() -> dict[int, float]:
    """CPU seconds (own and reaped children's: runc, docker-proxy) of each engine process."""
    found: dict[int, float] = {}
    for proc in Path("/proc").iterdir():
        try:
            if not proc.name.isdigit() or (proc / "comm").read_text().strip() not in ENGINE:
                continue
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        found[int(proc.name)] = sum(int(f) for f in fields[11:15]) / TICK
    return found


def host_busy() -> tuple[float, float]:
    """CPU seconds the whole host was busy and in all, from /proc/stat."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = ticks[3] + ticks[4]
    return (sum(ticks) - idle) / TICK, sum(ticks) / TICK


def print_boot_cpu(
    backend: DockerBackend,
    stack: RunningStack,
    before: tuple[dict[int, float], tuple[float, float]],
) -> None:
    """Where the CPU went during the boot: the host, each container (checks run in them too),
    the engine."""
    engine = sum(v - before[0].get(pid, 0.0) for pid, v in engine_cpu().items())
    busy, total = (a - b for a, b in zip(host_busy(), before[1], strict=True))
    per_node = {}
    for name, node in stack.nodes.items():
        cid = getattr(node, "container_id", None)
        if cid is not None:
            stats = backend.api.stats(cid, stream=False, one_shot=True)
            per_node[name] = stats["cpu_stats"]["cpu_usage"]["total_usage"] / 1e9
    top = sorted(per_node.items(), key=lambda kv: -kv[1])[:6]
    print(
        f"  cpu: host busy {busy:.1f} of {total:.1f} CPU-s ({busy / total:.0%}); containers "
        f"{sum(per_node.values()):.1f} CPU-s ({', '.join(f'{n} {v:.1f}' for n, v in top)}); "
        f"engine {engine:.1f} CPU-s"
    )


def print_timeline(run: int, stack: RunningStack) -> None:
    """Per node: created, started, ready; then the chain of waits that decided the boot."""
    print(f"run {run + 1}: boot {stack.boot_s:.2f}s")
    for line in format_timeline(stack.timeline):
        print("  " + line)
    path = critical_path(stack.timeline)
    steps = [f"{b.node} {b.started_s:.1f}->{b.ready_s:.1f}" for b in path]
    print("  critical path: " + " => ".join(steps))


def memory(backend: DockerBackend, stack: RunningStack) -> None:
    api = backend.api
    rss: dict[str, float] = {}
    for name, node in stack.nodes.items():
        cid = getattr(node, "container_id", None)
        if cid is None:
            continue
        mem: dict[str, Any] = api.stats(cid, stream=False).get("memory_stats", {})
        cache = mem.get("stats", {}).get("inactive_file", 0)
        rss[name] = (mem.get("usage", 0) - cache) / MIB
    top = sorted(rss.items(), key=lambda kv: -kv[1])[:5]
    print(f"memory     {sum(rss.values()):7.0f} MiB over {len(rss)} containers (target ≤ 2048)")
    print("           largest: " + ", ".join(f"{n} {v:.0f}" for n, v in top))


def probe_resolution(stack: RunningStack, seconds: float) -> None:
    endpoint = endpoint_of(stack, EntrySpec(node="lb", port=443))
    client = JsonHttpClient(endpoint, 3.0, run_tls_config(stack, "lb"))
    history = History()
    probe = BuildProbe(client, f"bench:{stack.run_id}:probe")
    with ProbeRunner(probe, history, 0.1):
        time.sleep(seconds)
    ops = sorted(history.ops, key=lambda o: o.start_ns)
    gaps = [(b.start_ns - a.start_ns) / 1e6 for a, b in itertools.pairwise(ops)]
    lat = [(o.end_ns - o.start_ns) / 1e6 for o in ops if o.outcome is Outcome.OK]
    ok = sum(1 for o in ops if o.outcome is Outcome.OK)
    gap, med = statistics.median(gaps), statistics.median(lat)
    print(
        f"probe      {len(ops)} enqueues in {seconds:g}s, {ok} ok; start-to-start median "
        f"{gap:.0f} ms, latency median {med:.0f} ms p99 {percentile(lat, 99):.0f} ms"
    )
    print(f"           resolution of a recovery (±) ≈ {gap + med:.0f} ms")


def throughput(stack: RunningStack, seconds: float, users: int) -> None:
    host, port = stack.node("lb").address().host_port(443)
    assert stack.tls is not None
    history = History()
    config = {
        "base_url": f"https://{host}:{port}",
        "cafile": str(stack.tls.ca_path),
        "server_name": run_server_name(stack, "lb"),
        "users": users,
        "spawn_rate": users,
        "wait_s": 0,
        "timeout_s": 5,
        "requests": [{"method": "POST", "path": "/builds", "body": None, "weight": 1}],
    }
    with HttpLoad(history, config):
        t0 = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
    ok = sum(1 for o in history.ops if o.outcome is Outcome.OK)
    lat = [(o.end_ns - o.start_ns) / 1e6 for o in history.ops if o.outcome is Outcome.OK]
    print(
        f"load       {users} users, {len(history.ops)} POST /builds in {elapsed:.1f}s: "
        f"{ok / elapsed:.1f} acknowledged builds/s, p99 {percentile(lat, 99) or 0:.0f} ms, "
        f"{len(history.ops) - ok} not acknowledged"
    )
    drained_at = _drained(stack)
    print(f"           every queued build finished {drained_at:.1f}s after the load stopped")


def _drained(stack: RunningStack) -> float:
    """Seconds until no build is queued or running (polled with a deadline)."""
    from hachaos.clients.postgres import PgSession

    t0 = time.monotonic()
    session = PgSession(entry_target(stack.part("pg")), 5.0)
    try:
        while time.monotonic() - t0 < 600:
            rows = session.execute(
                "SELECT count(*) FROM builds WHERE state IN ('queued', 'running')"
            )
            if int(str(rows[0][0])) == 0:
                break
            time.sleep(0.5)
    finally:
        session.close()
    return time.monotonic() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--probe-s", type=float, default=20.0)
    parser.add_argument("--load-s", type=float, default=20.0)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument(
        "--boot-only", action="store_true", help="boot, memory, teardown (no probe, no load)"
    )
    args = parser.parse_args()
    spec = load_stack(REPO / "fixtures" / "stacks" / "platform.yaml")
    backend = DockerBackend()
    boots, downs = [], []
    for i in range(args.runs):
        run_id = new_run_id()
        before = (engine_cpu(), host_busy())
        t0 = time.monotonic()
        try:
            stack = backend.up(spec, run_id)
            boots.append(time.monotonic() - t0)
            print_timeline(i, stack)
            print_boot_cpu(backend, stack, before)
            if i == 0:
                memory(backend, stack)
            if i == 0 and not args.boot_only:
                probe_resolution(stack, args.probe_s)
                throughput(stack, args.load_s, args.users)
        finally:
            t1 = time.monotonic()
            backend.down(run_id)
            downs.append(time.monotonic() - t1)
    print(f"stack platform, {args.runs} runs, {len(spec.nodes) + 1} containers (with toxiproxy)")
    print(spread("boot", boots) + "   (target ≤ 45 s)")
    print(spread("teardown", downs) + "   (target ≤ 3 s)")


if __name__ == "__main__":
    main()
