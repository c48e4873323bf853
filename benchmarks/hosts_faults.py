"""Each node fault's inject and revert time on the hosts backend (over SSH) vs on Docker.

    python benchmarks/hosts_faults.py --runs 10 [--faults kill,stop,pause,partition]

Both sides run the Redis Sentinel deployment: on Docker `fixtures/stacks/redis-sentinel.yaml`,
on hosts the VM-like test hosts (`fixtures/vmhosts/redis-sentinel`, reached only over SSH). The
fault hits replica redis-3 (`isolate` for partition). Inject = `Fault.inject()` including its
efficacy check (the node is down / frozen / cut off), revert = `Fault.revert()` (started again
/ thawed / rules removed and peers reachable). Between runs the replica re-syncs (not timed).
Also: one command's round trip over the shared paramiko connection vs testinfra's `ssh://`
backend (a new `ssh` process and connection per command) and the same with a ControlMaster,
and how many connections each host got.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from pydantic import TypeAdapter

from hachaos.backends import get_backend
from hachaos.backends.hosts.backend import HostsBackend
from hachaos.backends.hosts.node import HostNode
from hachaos.backends.hosts.transport import SshTransport
from hachaos.clock import REAL_CLOCK, wait_until
from hachaos.faults.registry import FaultContext, build_faults
from hachaos.history import History
from hachaos.reaper import start_reaper
from hachaos.runid import new_run_id
from hachaos.running import RunningStack
from hachaos.spec.faults import FaultSpec
from hachaos.spec.loader import load_stack
from hachaos.topology import resolver_for
from hachaos.vmhosts import vm_hosts

REPO = Path(__file__).resolve().parents[1]
TARGET = "redis-3"
FAULTS = "kill,stop,pause,partition"


def spec(kind: str) -> FaultSpec:
    data: dict[str, object] = {"action": kind, "target": {"node": TARGET}}
    if kind == "partition":
        data = {"action": "partition", "mode": "isolate", "target": {"node": TARGET}}
    return TypeAdapter(FaultSpec).validate_python(data)


def synced(stack: RunningStack) -> None:
    """Wait until the target replica streams from its master again."""
    node = stack.node(TARGET)
    wait_until(
        lambda: node.exec(["redis-cli", "info", "replication"], timeout_s=5).output,
        lambda out: "master_link_status:up" in out,
        what=f"{TARGET} re-synced",
        timeout_s=60,
        interval_s=0.2,
    )


def time_faults(stack: RunningStack, kinds: list[str], runs: int) -> dict[str, list[tuple]]:
    """(inject s, revert s) per fault kind, `runs` times each."""
    out: dict[str, list[tuple]] = {k: [] for k in kinds}
    for _ in range(runs):
        for kind in kinds:
            ctx = FaultContext(stack, resolver_for(stack), History(), random.Random(0), REAL_CLOCK)
            [fault] = build_faults(spec(kind), ctx)
            t0 = time.perf_counter()
            fault.inject()
            t1 = time.perf_counter()
            fault.revert()
            t2 = time.perf_counter()
            assert fault.effective, fault.efficacy_detail
            out[kind].append((t1 - t0, t2 - t1))
            synced(stack)
    return out


def on_docker(kinds: list[str], runs: int) -> dict[str, list[tuple]]:
    backend = get_backend("docker")
    run_id = new_run_id()
    reaper = start_reaper(run_id, backend=backend.name)
    try:
        stack = backend.up(load_stack(REPO / "fixtures/stacks/redis-sentinel.yaml"), run_id)
        return time_faults(stack, kinds, runs)
    finally:
        backend.down(run_id)
        reaper.stand_down()


def round_trips(node: HostNode, key: Path, known: Path, n: int = 20) -> dict[str, list[float]]:
    """One `true` per call: the shared paramiko connection vs testinfra's ssh:// backend."""
    import testinfra

    ip = node.plan.endpoint.hostname
    extra = f"-o UserKnownHostsFile={known} -o BatchMode=yes"
    mux = f"{extra} -o ControlPath={key.parent}/mux-%C"
    fresh = testinfra.get_host(f"ssh://root@{ip}", ssh_identity_file=str(key), ssh_extra_args=extra)
    muxed = testinfra.get_host(f"ssh://root@{ip}", ssh_identity_file=str(key), ssh_extra_args=mux)
    ways: dict[str, Callable[[], object]] = {
        "paramiko, one connection (hachaos)": lambda: node.exec(["true"]),
        "testinfra ssh://, ssh per command": lambda: fresh.run("true"),
        "testinfra ssh://, ControlMaster": lambda: muxed.run("true"),
    }
    out: dict[str, list[float]] = {}
    for name, call in ways.items():
        call()  # warm: connect / start the master
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            call()
            times.append(time.perf_counter() - t0)
        out[name] = times
    subprocess.run(
        ["ssh", "-o", f"ControlPath={key.parent}/mux-%C", "-O", "exit", ip],
        capture_output=True,
        check=False,
    )
    return out


def on_hosts(kinds: list[str], runs: int) -> tuple[dict[str, list[tuple]], dict, list[int]]:
    with ExitStack() as stack:
        workdir = Path(tempfile.mkdtemp(prefix="hachaos-bench-hosts-"))
        vms = stack.enter_context(vm_hosts("redis-sentinel", workdir))
        backend = HostsBackend()
        run_id = new_run_id()
        reaper = start_reaper(run_id, backend=backend.name)
        stack.callback(reaper.stand_down)
        stack.callback(backend.down, run_id)
        running = backend.up(vms.stack(), run_id)
        timings = time_faults(running, kinds, runs)
        node = running.node(TARGET)
        assert isinstance(node, HostNode)
        trips = round_trips(node, workdir / "id_hachaos", workdir / "known_hosts")
        connects = [t.connects for t in backend.pool.transports() if isinstance(t, SshTransport)]
        return timings, trips, connects


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--faults", default=FAULTS)
    args = parser.parse_args()
    kinds = args.faults.split(",")
    docker = on_docker(kinds, args.runs)
    hosts, trips, connects = on_hosts(kinds, args.runs)
    print(f"\nfault inject/revert seconds over {args.runs} runs (target {TARGET})")
    print(
        f"{'fault':10} {'phase':7} {'docker p50':>11} {'p90':>7} {'hosts p50':>10} {'p90':>7} "
        f"{'hosts/docker':>12}"
    )
    for kind in kinds:
        for i, phase in enumerate(("inject", "revert")):
            d = [t[i] for t in docker[kind]]
            h = [t[i] for t in hosts[kind]]
            ratio = statistics.median(h) / statistics.median(d)
            print(
                f"{kind:10} {phase:7} {statistics.median(d):11.3f} {pct(d, 0.9):7.3f} "
                f"{statistics.median(h):10.3f} {pct(h, 0.9):7.3f} {ratio:12.2f}"
            )
    print("\none command's round trip (ms, 20 calls)")
    for name, times in trips.items():
        print(
            f"  {name:38} p50 {1000 * statistics.median(times):7.1f}  "
            f"p90 {1000 * pct(times, 0.9):7.1f}"
        )
    print(
        f"\nSSH connections opened per host during the whole hosts run: {sorted(set(connects))}"
        f" ({len(connects)} hosts)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
