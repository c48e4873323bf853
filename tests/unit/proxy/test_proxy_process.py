"""The server as a subprocess (`python -m hachaos.proxy`) with only the stdlib, and the CLI."""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from proxy_helpers import Upstream, connect, recv_exactly, round_trip

from hachaos.commands import proxy as proxy_command
from hachaos.proxy.client import ToxiproxyClient

SRC = Path(__file__).resolve().parents[3] / "src"
SYSTEM_PYTHON = "/usr/bin/python3"  # Debian's 3.11.2, the Python inside the hachaos/* images
STDLIB_ONLY = ["-S", "-m", "hachaos.proxy"]  # -S: no site-packages at all
INTERPRETERS = [
    pytest.param(sys.executable, id="venv-python"),
    pytest.param(
        SYSTEM_PYTHON,
        id="system-python",
        marks=pytest.mark.skipif(not Path(SYSTEM_PYTHON).exists(), reason="no /usr/bin/python3"),
    ),
]


def _readline(proc: subprocess.Popen[str], timeout: float = 10.0) -> str:
    box: list[str] = []
    stdout = proc.stdout
    assert stdout is not None
    reader = threading.Thread(target=lambda: box.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    assert box and box[0], f"no output within {timeout}s; stderr: {proc.stderr}"
    return box[0].strip()


def _spawn(*args: str, python: str = sys.executable) -> subprocess.Popen[str]:
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [python, *STDLIB_ONLY, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture(params=INTERPRETERS)
def process_url(request: pytest.FixtureRequest, tmp_path: Path, echo: Upstream) -> Iterator[str]:
    config = tmp_path / "proxies.json"
    config.write_text(
        json.dumps([{"name": "cfg", "upstream": echo.address, "listen": "127.0.0.1:0"}])
    )
    args = ("--host", "127.0.0.1", "--port", "0", "--config", str(config))
    proc = _spawn(*args, python=request.param)
    try:
        assert _readline(proc).startswith("populated 1 proxies")
        yield _readline(proc).rsplit(" ", 1)[1]
    finally:
        proc.terminate()
        proc.wait(10)
    assert proc.returncode == 0, "SIGTERM is a clean exit"


def test_subprocess_serves_api_and_traffic(process_url: str, echo: Upstream) -> None:
    client = ToxiproxyClient(process_url)
    assert client.version().startswith("2.")
    assert client.get_proxy("cfg").upstream == echo.address
    info = client.create_proxy("echo", echo.address)
    with connect(info) as sock:
        assert round_trip(sock, b"through a subprocess") == b"through a subprocess"


def test_subprocess_forwards_bytes_sent_right_after_connect(
    process_url: str, echo: Upstream
) -> None:
    """Regression: Python < 3.11.3 undid the pause made in `connection_made`, so bytes the client
    sent before the upstream dial finished were read early and lost (the client timed out)."""
    info = ToxiproxyClient(process_url).create_proxy("early", echo.address)
    for _ in range(5):
        with socket.create_connection(("127.0.0.1", info.port), timeout=5) as sock:
            sock.sendall(b"PING\r\n")
            assert recv_exactly(sock, 6) == b"PING\r\n"


def test_subprocess_port_in_use_is_one_line_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        proc = _spawn("--port", str(taken.getsockname()[1]))
        _, stderr = proc.communicate(timeout=10)
    assert proc.returncode == 3
    assert stderr.strip().count("\n") == 0
    assert "is in use" in stderr and "--port" in stderr


def test_cli_registers_proxy_serve() -> None:
    parser = argparse.ArgumentParser()
    proxy_command.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["proxy", "serve", "--host", "0.0.0.0", "--port", "9", "--config", "x.json"]
    )
    assert (args.host, args.port, args.config) == ("0.0.0.0", 9, Path("x.json"))
    assert args.func is proxy_command.serve_command


def test_cli_port_in_use_raises_port_in_use() -> None:
    from hachaos.errors import PortInUse

    with socket.create_server(("127.0.0.1", 0)) as taken:
        args = argparse.Namespace(host="127.0.0.1", port=taken.getsockname()[1], config=None)
        with pytest.raises(PortInUse, match="is in use"):
            proxy_command.serve_command(args)
