"""The load balancers' readiness (`lb-servers-up` in hachaos/haproxy): servers count only once
UP after a passed health check, since HAProxy starts them UP before checking them."""

from __future__ import annotations

import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from netfakes import http_server

SCRIPT = Path(__file__).resolve().parents[2] / "fixtures" / "images" / "haproxy" / "lb-servers-up"
HEADER = "# pxname,svname,qcur,status,check_status,\n"


def csv_of(*servers: tuple[str, str, str]) -> str:
    rows = [f"platform,{name},0,{status},{check}," for name, status, check in servers]
    return HEADER + "platform,FRONTEND,0,OPEN,,\n" + "\n".join(rows) + "\nplatform,BACKEND,0,UP,,\n"


def ask(body: str, count: int = 2, prefix: str = "app-") -> subprocess.CompletedProcess[str]:
    class Stats(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    with http_server(Stats) as port:
        url = f"http://127.0.0.1:{port}/;csv"
        argv = [sys.executable, str(SCRIPT), "platform", prefix, str(count), url]
        return subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)


def test_servers_up_after_a_passed_check_are_ready() -> None:
    done = ask(csv_of(("app-1", "UP", "L7OK"), ("app-2", "UP", "* L7OK")))
    assert (done.returncode, done.stdout) == (0, "ready\n")


@pytest.mark.parametrize(
    ("servers", "says"),
    [
        ((("app-1", "UP", "INI"), ("app-2", "UP", "INI")), "0 checked up, 2 up"),  # not yet
        ((("app-1", "UP", "L7OK"), ("app-2", "DOWN", "L7STS")), "1 checked up, 1 up"),
        ((("app-1", "UP", "L7OK"), ("app-2", "no check", "")), "1 checked up, 1 up"),
        ((), "no such servers"),
    ],
)
def test_anything_less_is_not_ready_and_says_what_is_up(
    servers: tuple[tuple[str, str, str], ...], says: str
) -> None:
    done = ask(csv_of(*servers))
    assert done.returncode == 1 and says in done.stdout and "ready" not in done.stdout


def test_exactly_one_primary_waits_for_the_others_to_go_down() -> None:
    failing = ask(csv_of(("pg-1", "UP", "L7OK"), ("pg-2", "UP 1/2", "L7STS")), 1, "pg-")
    assert failing.returncode == 1 and "1 checked up, 2 up, 1 wanted" in failing.stdout
    down = ask(csv_of(("pg-1", "UP", "L7OK"), ("pg-2", "DOWN", "L7STS")), 1, "pg-")
    assert (down.returncode, down.stdout) == (0, "ready\n")


def test_stats_not_answering_is_not_ready() -> None:
    argv = [sys.executable, str(SCRIPT), "platform", "app-", "2", "http://127.0.0.1:9/;csv"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    assert done.returncode == 1 and done.stdout.startswith("stats not answering")
