"""Kill test: SIGKILL a runner while a fault is active; nothing may be left after <= 30 s.

    python benchmarks/crash_cleanup.py --repeat 10 --types pause,partition,link,...
    python benchmarks/crash_cleanup.py --backend hosts --repeat 10
        (VM-like test hosts reached over SSH; faults on redis-3, links through a Toxiproxy on
        loopback: leftovers are a service not running or still frozen, a tagged firewall rule
        on its host, a tagged toxic, a disabled proxy)

For each run: start `crash_runner.py`, wait for `active`, SIGKILL it, then watch (deadline 30 s)
(or SIGTERM/SIGINT it with `--signal`; seconds then count from the signal)
until no container/network labelled with the run, no netns helper, no tagged firewall rule and
no tagged toxic remains (and the proxy is enabled again). Prints leftovers/runs per type.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from hachaos.backends.docker import labels
from hachaos.backends.docker.engine import connect
from hachaos.backends.docker.netns import HELPER_LABEL, DockerNetns
from hachaos.clock import wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.faults.rules import run_tag_prefix
from hachaos.firewall.request import RuleRequest
from hachaos.proxy.client import ToxiproxyClient
from hachaos.spec.loader import load_stack

HERE = Path(__file__).resolve().parent
RUNNER = HERE / "crash_runner.py"
ALL_TYPES = "pause,kill,stop,partition,disconnect,link,link-down"
HOSTS_TYPES = "pause,kill,stop,partition,link,link-down"
HOSTS_NODE = "redis-3"
HOSTS_LINK = "cache"


@dataclass(frozen=True)
class Outcome:
    kind: str
    run_id: str
    clean: bool
    seconds: float
    leftovers: str
    exit_s: float = 0.0  # signal -> runner gone


def leftovers(api, run_id: str, proxy: ToxiproxyClient | None) -> list[str]:
    """Everything of `run_id` still there."""
    found = []
    containers = api.containers(all=True, filters=labels.run_filter(run_id))
    found += [f"container {c['Names'][0]}" for c in containers]
    found += [f"network {n['Name']}" for n in api.networks(filters=labels.run_filter(run_id))]
    helpers = api.containers(all=True, filters={"label": [f"{HELPER_LABEL}={run_id}"]})
    found += [f"helper {c['Id'][:12]}" for c in helpers]
    netns = DockerNetns(api, f"{run_id}-check")
    for c in containers:  # only reached while containers remain: are rules left in them?
        resp = netns.run(c["Id"], RuleRequest(remove=run_tag_prefix(run_id), prefix=True))
        found += [f"{resp.removed} rule(s) in {c['Names'][0]}"] if resp.removed else []
    if proxy is not None:
        prefix = run_tag_prefix(run_id)
        for name, info in proxy.proxies().items():
            found += [f"toxic {t.name}" for t in proxy.toxics(name) if t.name.startswith(prefix)]
            if name == run_id and not info.enabled:
                found.append(f"proxy {name} disabled")
    return found


def hosts_leftovers(stack_file: Path, run_id: str, proxy: ToxiproxyClient) -> list[str]:
    """What a run left on the test hosts: the target service down or frozen, tagged rules on
    any host, tagged toxics or a disabled proxy on the Toxiproxy."""
    from hachaos.backends.hosts.backend import HostsBackend
    from hachaos.backends.hosts.plan import plan_stack

    backend = HostsBackend()  # fresh: no hint, every status asks the service's finder
    plans = plan_stack(load_stack(stack_file))
    nodes = backend.nodes(plans)
    found = []
    status = nodes[HOSTS_NODE].status()
    if not status.running or status.paused:
        found.append(f"{HOSTS_NODE} {'frozen' if status.paused else 'not running'}")
    request = RuleRequest(remove=run_tag_prefix(run_id), prefix=True)
    for node in nodes.values():
        removed = node.apply_rules(request).removed
        found += [f"{removed} rule(s) on {node.name}"] if removed else []
    prefix = run_tag_prefix(run_id)
    found += [f"toxic {t.name}" for t in proxy.toxics(HOSTS_LINK) if t.name.startswith(prefix)]
    if not proxy.get_proxy(HOSTS_LINK).enabled:
        found.append(f"proxy {HOSTS_LINK} disabled")
    backend.pool.close()
    return found


def one_run(
    kind: str, api, proxy_url: str, *, deadline_s: float, sig: int, hosts: Path | None = None
) -> Outcome:
    """Start a runner with fault `kind`, SIGKILL it once the fault is active, watch cleanup."""
    cmd = [sys.executable, str(RUNNER), "--type", kind, "--toxiproxy-url", proxy_url]
    if hosts is not None:
        cmd += ["--stack", str(hosts), "--node", HOSTS_NODE, "--link", HOSTS_LINK]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    run_id = proc.stdout.readline().split()[1]
    active = proc.stdout.readline()
    if not active.startswith("active"):
        proc.kill()
        proc.wait()
        return Outcome(kind, run_id, False, 0.0, f"runner failed before the fault: {active!r}")
    t0 = time.monotonic()
    os.kill(proc.pid, sig)
    proc.wait()
    exit_s = time.monotonic() - t0
    proxy = ToxiproxyClient(proxy_url)

    def left() -> list[str]:
        if hosts is not None:
            return hosts_leftovers(hosts, run_id, proxy)
        return leftovers(api, run_id, proxy)

    try:
        wait_until(
            left,
            lambda left: not left,
            what=f"{kind} run {run_id} cleaned",
            timeout_s=deadline_s,
            interval_s=0.2,
        )
    except DeadlineExceeded as exc:
        return Outcome(kind, run_id, False, deadline_s, str(exc.last), exit_s)
    finally:
        if hosts is None:
            ToxiproxyClient(proxy_url).delete_proxy(run_id, missing_ok=True)
    return Outcome(kind, run_id, True, time.monotonic() - t0, "", exit_s)


def start_proxy() -> tuple[subprocess.Popen[str], str]:
    """The embedded Toxiproxy on a free loopback port (it outlives the runners)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "hachaos.proxy", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.readline()
    return proc, f"http://127.0.0.1:{port}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--types", default=None, help=f"default {ALL_TYPES} ({HOSTS_TYPES})")
    parser.add_argument("--backend", choices=("docker", "hosts"), default="docker")
    parser.add_argument("--deadline", type=float, default=30.0)
    parser.add_argument(
        "--signal",
        default="KILL",
        choices=("KILL", "TERM", "INT"),
        help="how the runner dies (TERM/INT: its own cleanup handler, 5 s deadline)",
    )
    args = parser.parse_args()
    os.environ.setdefault("HACHAOS_RUNS_DIR", tempfile.mkdtemp(prefix="hachaos-crash-"))
    api = connect()
    proxy_proc, proxy_url = start_proxy()
    sig = getattr(signal, f"SIG{args.signal}")
    types = args.types or (HOSTS_TYPES if args.backend == "hosts" else ALL_TYPES)
    with ExitStack() as stack:
        stack.callback(proxy_proc.terminate)
        hosts = None
        if args.backend == "hosts":
            hosts = stack.enter_context(test_hosts(proxy_url))
        run = partial(one_run, api=api, proxy_url=proxy_url, deadline_s=args.deadline, sig=sig)
        results = run_all(args.repeat, types.split(","), partial(run, hosts=hosts))
    return summary(results)


@contextmanager
def test_hosts(proxy_url: str) -> Iterator[Path]:
    """VM-like Redis hosts, described by a hosts stack with link `cache` (to redis-3) through
    the Toxiproxy at `proxy_url`, as a user's own Toxiproxy would serve it."""
    from hachaos.vmhosts import vm_hosts

    workdir = Path(tempfile.mkdtemp(prefix="hachaos-crash-hosts-"))
    with vm_hosts("redis-sentinel", workdir) as vms:
        ip = vms.machines.nodes[HOSTS_NODE].address().ip
        made = ToxiproxyClient(proxy_url).create_proxy(HOSTS_LINK, f"{ip}:6379")
        port = made.listen.rsplit(":", 1)[1]
        path = workdir / "with-links.yaml"
        path.write_text(
            vms.stack_file.read_text()
            + f"toxiproxy: {proxy_url}\nlinks:\n"
            + f"  {HOSTS_LINK}: {{upstream: {HOSTS_NODE}:6379, listen: {port}}}\n"
        )
        yield path


def run_all(
    repeat: int, types: list[str], run: Callable[[str], Outcome]
) -> dict[str, list[Outcome]]:
    results: dict[str, list[Outcome]] = {}
    for i in range(repeat):
        for kind in types:
            out = run(kind)
            results.setdefault(kind, []).append(out)
            state = "clean" if out.clean else f"LEFTOVERS: {out.leftovers}"
            print(
                f"[{i + 1}/{repeat}] {kind:10s} {out.run_id} {state} "
                f"after {out.seconds:.2f}s (runner exited after {out.exit_s:.2f}s)",
                flush=True,
            )
    return results


def summary(results: dict[str, list[Outcome]]) -> int:
    print(f"\n{'type':10s} {'leftovers/runs':>15s} {'clean p50 s':>12s} {'max s':>7s}")
    for kind, outs in results.items():
        bad = sum(1 for o in outs if not o.clean)
        secs = [o.seconds for o in outs if o.clean] or [0.0]
        print(
            f"{kind:10s} {f'{bad}/{len(outs)}':>15s} {statistics.median(secs):12.2f} "
            f"{max(secs):7.2f}"
        )
    return 0 if all(o.clean for outs in results.values() for o in outs) else 1


if __name__ == "__main__":
    sys.exit(main())
