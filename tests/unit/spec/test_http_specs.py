"""Validation of the HTTP items probes and ledger: TLS settings and every node they name."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.errors import ConfigError
from hachaos.spec.loader import load_scenario
from hachaos.spec.probes import HttpReadProbeSpec, HttpWriteProbeSpec
from hachaos.spec.workloads import HttpLedgerSpec

STACK = """\
name: pair
image: hachaos/tools:latest
nodes:
  ap-1: {role: primary, ports: [8080]}
  lb: {role: lb, ports: [80]}
"""

SCENARIO = """\
name: pair-kill
stack: pair
probe: {type: http-write, target: {node: lb, port: 80}}
workload: {type: http-ledger, target: {node: lb, port: 80}, read_target: {node: lb, port: 80}}
fault: {action: kill, target: {node: ap-1}}
budget: {recovery_time_s: 5}
"""


def _load(tmp_path: Path, text: str) -> list[str]:
    (tmp_path / "fixtures" / "stacks").mkdir(parents=True, exist_ok=True)
    (tmp_path / "fixtures" / "stacks" / "pair.yaml").write_text(STACK)
    path = tmp_path / "s.yaml"
    path.write_text(text)
    try:
        load_scenario(path, stack_dirs=[tmp_path / "fixtures" / "stacks"])
    except ConfigError as exc:
        return [f"{p.line}: {p.message}" for p in exc.problems]
    return []


def test_valid_http_scenario_loads(tmp_path: Path) -> None:
    assert _load(tmp_path, SCENARIO) == []


def test_unknown_nodes_are_named_on_their_lines(tmp_path: Path) -> None:
    text = SCENARIO.replace("read_target: {node: lb", "read_target: {node: nope").replace(
        "probe: {type: http-write, target: {node: lb", "probe: {type: http-write, target: {node: x"
    )
    found = _load(tmp_path, text)
    assert len(found) == 2
    assert found[0].startswith("3: unknown node 'x' in stack 'pair'")
    assert found[1].startswith("4: unknown node 'nope' in stack 'pair'")


def test_tls_ca_node_must_exist(tmp_path: Path) -> None:
    probe = (
        "probe: {type: http-write, target: {node: lb, port: 80}, tls: true,"
        " ca: {node: ca-1, path: /etc/ca.pem}}"
    )
    text = SCENARIO.replace("probe: {type: http-write, target: {node: lb, port: 80}}", probe)
    [found] = _load(tmp_path, text)
    assert found.startswith("3: unknown node 'ca-1' in stack 'pair'")


def test_tls_without_ca_needs_a_stack_with_tls(tmp_path: Path) -> None:
    probe = "probe: {type: http-write, target: {node: lb, port: 80}, tls: true}"
    text = SCENARIO.replace("probe: {type: http-write, target: {node: lb, port: 80}}", probe)
    [found] = _load(tmp_path, text)
    assert found == (
        "3: verifies against the run's CA, but stack 'pair' declares no 'tls' "
        "(give 'ca', or add tls: {nodes: [...]} to the stack)"
    )


def test_a_ca_needs_tls() -> None:
    target = {"node": "lb", "port": 443}
    assert HttpWriteProbeSpec(type="http-write", target=target, tls=True).ca is None  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="only go with 'tls: true'"):
        HttpLedgerSpec(
            type="http-ledger",
            target=target,  # type: ignore[arg-type]
            ca={"node": "lb", "path": "/ca.pem"},  # type: ignore[arg-type]
        )


def test_read_probe_names_its_write_target() -> None:
    spec = HttpReadProbeSpec.model_validate(
        {
            "type": "http-read",
            "target": {"node": "lb", "port": 80},
            "write_target": {"node": "ap-1", "port": 8080},
            "tls": True,
            "ca": {"node": "ca", "path": "/ca.pem"},
            "server_name": "app.test",
        }
    )
    assert spec.node_refs() == {
        ("target", "node"): "lb",
        ("ca", "node"): "ca",
        ("write_target", "node"): "ap-1",
    }
