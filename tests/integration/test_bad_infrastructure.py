"""Infrastructure problems become one-line errors, and a failed boot leaves nothing behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests_support import tiny_stack

from hachaos.backends.docker import labels
from hachaos.backends.docker.backend import DockerBackend
from hachaos.errors import ImageMissing, PortInUse, StackNotReady

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parents[2]


def leftovers(backend: DockerBackend, run_id: str) -> int:
    flt = labels.run_filter(run_id)
    return len(backend.api.containers(all=True, filters=flt)) + len(
        backend.api.networks(filters=flt)
    )


def test_published_port_in_use(docker_backend: DockerBackend) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run_id = labels.new_run_id()
        stack = tiny_stack(ports=[{"container": 8080, "host": port}])
        with pytest.raises(PortInUse, match=rf"port 127.0.0.1:{port} wanted by node 'a'"):
            docker_backend.up(stack, run_id)
    assert leftovers(docker_backend, run_id) == 0


def test_stack_that_never_gets_healthy(docker_backend: DockerBackend) -> None:
    stack = tiny_stack(
        command=["sh", "-c", "echo starting the never-ready service; exec sleep infinity"],
        ready=[{"exec": ["test", "-e", "/ready"]}],
    ).model_copy(update={"ready_timeout_s": 3.0})
    run_id = labels.new_run_id()
    t0 = time.monotonic()
    with pytest.raises(StackNotReady) as exc:
        docker_backend.up(stack, run_id)
    assert time.monotonic() - t0 < 15
    message = str(exc.value)
    assert "\n" not in message
    assert "did not become healthy: a: not ready after" in message
    assert "starting the never-ready service" in exc.value.logs["a"]
    assert leftovers(docker_backend, run_id) == 0


def test_node_that_exits_fails_fast_with_its_logs(docker_backend: DockerBackend) -> None:
    stack = tiny_stack(command=["sh", "-c", "echo config is broken >&2; exit 3"])
    run_id = labels.new_run_id()
    t0 = time.monotonic()
    with pytest.raises(StackNotReady, match="a: container exited with code 3") as exc:
        docker_backend.up(stack, run_id)
    assert time.monotonic() - t0 < 10
    assert "config is broken" in exc.value.logs["a"]
    assert leftovers(docker_backend, run_id) == 0


def test_missing_image(docker_backend: DockerBackend) -> None:
    stack = tiny_stack(image="hachaos/nonexistent:latest")
    with pytest.raises(ImageMissing, match="run: hachaos images build nonexistent"):
        docker_backend.up(stack, labels.new_run_id())


def test_docker_daemon_down_is_one_line() -> None:
    env = {**os.environ, "DOCKER_HOST": "unix:///tmp/hachaos-no-such.sock"}
    proc = subprocess.run(
        [sys.executable, "-m", "hachaos.cli", "ps"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 3
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(
        "hachaos: error: cannot reach the Docker engine at unix:///tmp/hachaos-no"
    )
    assert "hachaos doctor --fix" in line
