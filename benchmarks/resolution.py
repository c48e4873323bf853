"""Resolution benchmark: impose a link outage of known length and compare what the probe
measured with what was imposed.

    /tmp/hv/bin/python benchmarks/resolution.py [--runs 10] [--interval-ms 50] [--outage-s 2]

A local TCP service sits behind the embedded Toxiproxy (`python -m hachaos.proxy`); a tcp probe
connects through the proxy on a fixed schedule. Each run disables the proxy (the link is down:
nothing listens), holds it down for exactly `--outage-s`, enables it again, and measures the
recovery time the checkers report (inject → first success followed by sustained success).
Imposed = from the disable call's return to the enable call's return on the same clock.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time

from hachaos.checks.recovery import recovery_time
from hachaos.clock import wait_until
from hachaos.history import FaultEvent, FaultPhase, History
from hachaos.probes.runner import ProbeRunner
from hachaos.probes.tcp import TcpConnectProbe
from hachaos.proxy.client import ToxiproxyClient


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _service() -> int:
    """A TCP service that accepts and closes connections."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)

    def serve() -> None:
        while True:
            conn, _ = srv.accept()
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    return int(srv.getsockname()[1])


def one_run(client: ToxiproxyClient, host: str, port: int, interval_s: float, outage_s: float):
    history = History()
    hold = threading.Event()
    with ProbeRunner(TcpConnectProbe(host, port, 0.5), history, interval_s):
        wait_until(lambda: len(history.ops), lambda n: n >= 10, what="steady", timeout_s=10)
        client.disable("svc")
        t_down = time.monotonic_ns()
        history.add_fault(FaultEvent(t_down, FaultPhase.INJECT, "link-down", "svc"))
        hold.wait(outage_s - (time.monotonic_ns() - t_down) / 1e9)
        client.enable("svc")
        t_up = time.monotonic_ns()
        history.add_fault(FaultEvent(t_up, FaultPhase.REVERT, "link-down", "svc"))
        n = len(history.ops)
        wait_until(lambda: len(history.ops), lambda k: k >= n + 20, what="after", timeout_s=10)
    rec = recovery_time(history, sustain_ops=10)
    return (t_up - t_down) / 1e9, rec


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--interval-ms", type=float, default=50)
    ap.add_argument("--outage-s", type=float, default=2.0)
    args = ap.parse_args()
    api = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hachaos.proxy", "--port", str(api)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = ToxiproxyClient(f"http://127.0.0.1:{api}")
        wait_until(client.version, lambda _: True, what="proxy API", timeout_s=10)
        listen = f"127.0.0.1:{_free_port()}"
        info = client.create_proxy("svc", f"127.0.0.1:{_service()}", listen)
        host, port = info.listen.rsplit(":", 1)
        errors = []
        for i in range(args.runs):
            imposed, rec = one_run(client, host, int(port), args.interval_ms / 1000, args.outage_s)
            err = (rec.recovery_s or float("nan")) - imposed
            errors.append(err)
            print(
                f"run {i + 1}: imposed {imposed:.4f}s measured {rec.recovery_s:.4f}s "
                f"(±{rec.resolution_s:.4f}s) error {err * 1000:+.1f} ms",
                flush=True,
            )
        abs_err = [abs(e) * 1000 for e in errors]
        print(
            f"interval {args.interval_ms:g} ms, {args.runs} runs: |error| mean "
            f"{statistics.mean(abs_err):.1f} ms, max {max(abs_err):.1f} ms (target <= 50 ms)"
        )
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
