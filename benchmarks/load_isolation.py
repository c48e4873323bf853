"""Does the HTTP load disturb the run's other clients? (figures only)

python benchmarks/load_isolation.py [--seconds 10] [--users 10]

A probe (HTTP GET every 20 ms, the runner's own ProbeRunner thread) against a loopback server,
first alone, then while the locust child process drives `--users` users against a second
loopback server. Printed per phase: the probe's op count, latency median / p99, and schedule
jitter (start-to-start gap p99 minus the interval); and whether gevent patched anything in
this process (it must not: locust runs in its own process).
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hachaos.checks.latency import percentile
from hachaos.clients.http import JsonHttpClient
from hachaos.history import History
from hachaos.probes.http import HttpGetProbe
from hachaos.probes.runner import ProbeRunner
from hachaos.workloads.http_load import HttpLoad

INTERVAL_S = 0.02


class Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def server() -> ThreadingHTTPServer:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Ok)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def probe_for(port: int, seconds: float) -> str:
    history = History()
    probe = HttpGetProbe(JsonHttpClient(lambda: ("127.0.0.1", port), 1.0), "/")
    with ProbeRunner(probe, history, INTERVAL_S):
        time.sleep(seconds)
    ops = sorted(history.ops, key=lambda o: o.start_ns)
    lat = [(o.end_ns - o.start_ns) / 1e6 for o in ops]
    gaps = [(b.start_ns - a.start_ns) / 1e6 for a, b in itertools.pairwise(ops)]
    jitter = (percentile(gaps, 99) or 0) - INTERVAL_S * 1000
    return (
        f"{len(ops)} ops, latency median {statistics.median(lat):.2f} ms p99 "
        f"{percentile(lat, 99):.2f} ms, schedule jitter p99 {jitter:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=10)
    args = parser.parse_args()
    probed, loaded = server(), server()
    print(f"probe alone      : {probe_for(probed.server_address[1], args.seconds)}")
    history = History()
    config = {
        "base_url": f"http://127.0.0.1:{loaded.server_address[1]}",
        "cafile": None,
        "users": args.users,
        "spawn_rate": args.users,
        "wait_s": 0.0,
        "timeout_s": 2,
        "requests": [{"method": "GET", "path": "/", "body": None, "weight": 1}],
    }
    with HttpLoad(history, config) as load:
        print(f"probe under load : {probe_for(probed.server_address[1], args.seconds)}")
    rate = load.requests / args.seconds
    print(f"load             : {load.requests} requests from the locust child (~{rate:.0f}/s)")
    patched = "gevent" in sys.modules
    print(f"gevent imported in the runner: {patched} (locust and its patching stay in the child)")


if __name__ == "__main__":
    main()
