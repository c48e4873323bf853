"""CPU cost of the probe + ledger clients while they run (target: <= 5% of one core).

    /tmp/hv/bin/python benchmarks/client_cpu.py [--window-s 20]

Boots postgres-patroni, then runs the SQL probe (every 50 ms) and the Postgres ledger (every
20 ms) through HAProxy for a fixed window, and reads this process's CPU time (user + system,
all threads, `resource.getrusage`) before and after: CPU% = CPU seconds / wall seconds.
"""

from __future__ import annotations

import argparse
import resource
import threading
import time
from pathlib import Path

from hachaos.backends import get_backend
from hachaos.history import History
from hachaos.probes.factory import make_probe
from hachaos.probes.runner import ProbeRunner
from hachaos.runid import new_run_id
from hachaos.spec.loader import load_stack
from hachaos.spec.probes import SqlProbeSpec
from hachaos.spec.workloads import PostgresLedgerSpec
from hachaos.workloads.factory import make_store
from hachaos.workloads.ledger import Ledger

STACK = Path(__file__).resolve().parent.parent / "fixtures" / "stacks" / "postgres-patroni.yaml"


def _cpu_s() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--window-s", type=float, default=20.0)
    args = ap.parse_args()
    backend, run_id = get_backend("docker"), new_run_id()
    try:
        stack = backend.up(load_stack(STACK), run_id)
        history = History()
        probe = make_probe(SqlProbeSpec(type="sql"), stack, f"hachaos:{run_id}")
        ledger_spec = PostgresLedgerSpec(type="postgres-ledger")
        ledger = Ledger(make_store(ledger_spec, stack, f"hachaos:{run_id}"), history, 0.02)
        with ProbeRunner(probe, history, 0.05), ledger.running():
            threading.Event().wait(2.0)  # warm up: connections and tables
            ops0, cpu0, t0 = len(history.ops), _cpu_s(), time.monotonic()
            threading.Event().wait(args.window_s)
            ops1, cpu1, t1 = len(history.ops), _cpu_s(), time.monotonic()
        cpu, wall = cpu1 - cpu0, t1 - t0
        print(
            f"probe 50 ms + ledger 20 ms: {ops1 - ops0} ops in {wall:.1f}s, "
            f"CPU {cpu:.3f}s = {100 * cpu / wall:.2f}% of one core (target <= 5%)"
        )
    finally:
        backend.down(run_id)


if __name__ == "__main__":
    main()
