"""Hosts stack files: what an existing deployment is described with, and every wrong key as
one `file:line: message`."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hachaos.errors import ConfigError
from hachaos.spec.loader import load_stack

GOOD = """\
name: prod-redis
backend: hosts
topology: {kind: redis-sentinel}
ssh: {identity_file: ~/.ssh/id_ed25519, known_hosts: /etc/hachaos/known_hosts}
toxiproxy: http://10.0.0.9:8474
links:
  cache: {upstream: redis-1:6379, listen: 16379}
nodes:
  redis-1:
    role: master
    host: ssh://deploy@10.0.0.5:2222?sudo=true
    ports: [6379]
    service: {systemd: redis-server.service}
  sentinel-1:
    role: sentinel
    host: paramiko://10.0.0.6
    address: 192.168.7.6
    identity_file: /keys/sentinel
    ports: [26379]
    service:
      pgrep: "redis-sentinel .*:26379"
      start: [systemctl, start, sentinel]
      stop: [systemctl, stop, sentinel]
"""


def load(tmp_path: Path, text: str) -> list[str] | None:
    path = tmp_path / "s.yaml"
    path.write_text(textwrap.dedent(text))
    try:
        load_stack(path)
    except ConfigError as exc:
        return [f"{p.line}: {p.message}" for p in exc.problems]
    return None


def test_a_hosts_stack_loads(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(GOOD)
    stack = load_stack(tmp_path / "s.yaml")
    assert stack.on_hosts
    assert stack.toxiproxy_url == "http://10.0.0.9:8474"
    finders = [n.service.finder for n in stack.nodes.values() if n.service is not None]
    assert finders == ["systemd", "pgrep"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("deploy@10.0.0.5", "deploy:secret@10.0.0.5"), "11: nodes.redis-1.host: a password"),
        (("ssh://deploy@", "telnet://deploy@"), "11: nodes.redis-1.host: host 'telnet://"),
        (("?sudo=true", "?password=x"), "11: nodes.redis-1.host: unsupported option 'password'"),
        (("    service: {systemd: redis-server.service}\n", ""), "missing required key"),
        (
            ("    service: {systemd: redis-server.service}\n", "    command: [redis-server]\n"),
            "'command' is not used on a hosts stack",
        ),
        (("toxiproxy: http://10.0.0.9:8474\n", ""), "links on a hosts stack need 'toxiproxy"),
        (("      stop: [systemctl, stop, sentinel]\n", ""), "needs 'start' and 'stop' commands"),
        (("systemd: redis-server.service", "systemd: a, pidfile: /run/r.pid"), "exactly one of"),
    ],
)
def test_each_mistake_is_one_line_on_its_key(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in GOOD
    found = load(tmp_path, GOOD.replace(old, new))
    assert found is not None
    assert any(expected in line for line in found), found


def test_host_keys_are_refused_on_a_booted_stack(tmp_path: Path) -> None:
    found = load(
        tmp_path,
        """\
        name: tiny
        image: hachaos/tools
        nodes:
          a: {role: app, host: "ssh://h", service: {supervisor: a}}
        """,
    )
    assert found is not None
    assert "4: nodes.a.host: 'host' only goes with 'backend: hosts'" in found
