"""The stack's `tls` declaration: validated with file:line errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from hachaos.clients.http import TlsConfig
from hachaos.errors import ConfigError, HachaosError
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.tls.client import run_tls_config
from hachaos.tls.run_files import RunTls

STACK = """\
name: web
image: hachaos/tools:latest
tls: {tls}
nodes:
  lb:
    role: lb
    files: {files}
  app-1:
    role: app
"""


def stack(tmp_path: Path, tls: str, files: str = "{}") -> Path:
    path = tmp_path / "web.yaml"
    path.write_text(textwrap.dedent(STACK.format(tls=tls, files=files)))
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_stack(path)
    return [f"{p.line}: {p.message}" for p in exc.value.problems]


def test_defaults_name_the_nodes_localhost_and_the_runner(tmp_path: Path) -> None:
    spec = load_stack(stack(tmp_path, "{nodes: [lb]}"))
    assert spec.tls is not None
    assert spec.tls.subject_names() == ("lb", "localhost", "127.0.0.1")


def test_explicit_names_keep_order_without_repeats(tmp_path: Path) -> None:
    spec = load_stack(stack(tmp_path, '{nodes: [lb], names: [www.example.test, 127.0.0.1, "::1"]}'))
    assert spec.tls is not None
    assert spec.tls.subject_names() == ("www.example.test", "127.0.0.1", "::1")


def test_unknown_node(tmp_path: Path) -> None:
    assert errors(stack(tmp_path, "{nodes: [lb, nope]}")) == [
        "3: tls.nodes.1: unknown node 'nope' (lb, app-1)"
    ]


def test_bad_name_and_missing_nodes(tmp_path: Path) -> None:
    found = errors(stack(tmp_path, "{names: [Bad_Name]}"))
    assert any("tls.nodes" in e and "missing" in e for e in found)
    assert any("'Bad_Name' is neither a DNS host name" in e for e in found)


def test_node_listed_twice(tmp_path: Path) -> None:
    assert errors(stack(tmp_path, "{nodes: [lb, lb]}")) == [
        "3: tls.nodes.1: node 'lb' is listed twice"
    ]


def test_files_may_not_shadow_the_runs_certificate(tmp_path: Path) -> None:
    found = errors(stack(tmp_path, "{nodes: [lb]}", '{/etc/hachaos/tls/server.pem: "x"}'))
    assert found == [
        "7: nodes.lb.files./etc/hachaos/tls/server.pem: /etc/hachaos/tls of a 'tls' node is "
        "written by the runner"
    ]


def test_run_tls_config_needs_a_tls_stack(tmp_path: Path) -> None:
    spec = load_stack(stack(tmp_path, "null"))
    with pytest.raises(HachaosError, match="declares no 'tls'"):
        run_tls_config(RunningStack(spec, "hc-1", "docker", {}, 0.0), "lb")


@pytest.mark.parametrize(
    ("names", "node", "verified_as"),
    [
        (("lb", "localhost", "127.0.0.1"), "lb", "lb"),
        (("ci.example.com", "127.0.0.1"), "lb", "ci.example.com"),  # the node is not named
    ],
)
def test_the_runs_clients_verify_a_name_of_the_certificate_not_the_address_dialled(
    tmp_path: Path, names: tuple[str, ...], node: str, verified_as: str
) -> None:
    spec = load_stack(stack(tmp_path, "null"))
    (tmp_path / "ca.crt").write_text("CA")
    tls = RunTls(tmp_path, ("lb",), names)
    running = RunningStack(spec, "hc-1", "docker", {}, 0.0, tls=tls)
    assert run_tls_config(running, node) == TlsConfig("CA", verified_as)
