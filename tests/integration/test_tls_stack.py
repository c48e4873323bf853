"""Per-run TLS on real containers: HAProxy serves the run's certificate, probes trust only the
run's CA, the key never leaves the run's folder and the node, and teardown removes it."""

from __future__ import annotations

import os
import socket
import ssl
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.docker.labels import new_run_id
from hachaos.history import Outcome
from hachaos.probes.factory import make_probe
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec
from hachaos.spec.probes import HttpProbeSpec
from hachaos.tls.run_files import forget_run_tls, tls_dir

pytestmark = pytest.mark.integration

HAPROXY_CFG = """\
defaults
  mode http
  timeout connect 1s
  timeout client 5s
  timeout server 5s
frontend web
  bind *:80
  bind *:443 ssl crt /etc/hachaos/tls/server.pem
  http-request return status 200 content-type text/plain string ok
"""


def lb_stack() -> StackSpec:
    return StackSpec.model_validate(
        {
            "name": "tls-lb",
            "image": "hachaos/haproxy:latest",
            "ready_timeout_s": 20,
            "tls": {"nodes": ["lb"]},
            "nodes": {
                "lb": {
                    "role": "lb",
                    "command": ["haproxy", "-db", "-f", "/etc/haproxy/t.cfg"],
                    "ports": [80, 443],
                    "files": {"/etc/haproxy/t.cfg": HAPROXY_CFG},
                    "ready": [{"tcp": 443}],
                }
            },
        }
    )


@pytest.fixture(scope="module")
def lb(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    run_id = new_run_id()
    stack = docker_backend.up(lb_stack(), run_id)
    try:
        yield stack
    finally:
        docker_backend.down(run_id)
        forget_run_tls(run_id)


def https_probe(stack: RunningStack) -> HttpProbeSpec:
    return HttpProbeSpec.model_validate(
        {"type": "http", "target": {"node": "lb", "port": 443}, "scheme": "https"}
    )


def test_https_probe_verifies_the_lb_against_the_runs_ca(lb: RunningStack) -> None:
    probe = make_probe(https_probe(lb), lb, prefix="t")
    assert probe.attempt(1).outcome is Outcome.OK


def test_the_host_trust_store_does_not_trust_the_run(lb: RunningStack) -> None:
    host, port = lb.node("lb").address().host_port(443)
    with (
        socket.create_connection((host, port), timeout=2) as raw,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        ssl.create_default_context().wrap_socket(raw, server_hostname="127.0.0.1")


def test_key_is_in_the_node_and_the_run_folder_only(lb: RunningStack) -> None:
    assert lb.tls is not None
    assert lb.tls.directory == tls_dir(lb.run_id)
    assert stat.S_IMODE(os.stat(lb.tls.directory / "server.key").st_mode) == 0o600
    listing = (
        lb.node("lb")
        .exec(
            [
                "stat",
                "-c",
                "%a %n",
                *(
                    f"/etc/hachaos/tls/{f}"
                    for f in ("server.pem", "server.key", "server.crt", "ca.crt")
                ),
            ]
        )
        .output.split("\n")
    )
    assert listing[:4] == [
        "600 /etc/hachaos/tls/server.pem",
        "600 /etc/hachaos/tls/server.key",
        "644 /etc/hachaos/tls/server.crt",
        "644 /etc/hachaos/tls/ca.crt",
    ]
    assert "PRIVATE KEY" not in lb.node("lb").logs(tail=500)


def test_teardown_removes_the_runs_key(docker_backend: DockerBackend) -> None:
    from hachaos.plugin.runs import booted_stack
    from hachaos.plugin.state import SessionState

    state = SessionState("docker", (), None, "fail", Path("/tmp"))
    state._backends["docker"] = docker_backend
    with booted_stack(state, lb_stack()) as stack:
        assert stack.tls is not None
        folder = stack.tls.directory
        assert (folder / "server.key").is_file()
    assert not folder.exists()
