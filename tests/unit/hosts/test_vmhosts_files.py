"""The test hosts' stack files: filled in, each is a valid hosts stack with the same nodes,
roles and topology as the Docker stack of the same name (and readiness checks on every node),
so every scenario of that stack loads against it unchanged (looked up with --hachaos-stacks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.spec.loader import load_scenario, load_stack
from hachaos.vmhosts import FIXTURES, render

REPO = Path(__file__).resolve().parents[3]
CASES = {"redis-sentinel": "redis-sentinel", "postgres-patroni": "postgres"}


def filled(name: str, into: Path) -> Path:
    machines = load_stack(FIXTURES / name / "vms.yaml")
    values = {n: f"192.0.2.{i + 1}" for i, n in enumerate(machines.nodes)}  # TEST-NET: unused
    values.update(identity_file="/keys/id", known_hosts="/keys/known_hosts")
    into.mkdir(exist_ok=True)
    path = into / f"{name}.yaml"
    path.write_text(render((FIXTURES / name / "hosts.yaml").read_text(), values))
    return path


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_filled_in_hosts_stack_mirrors_the_docker_stack(name: str, tmp_path: Path) -> None:
    hosts = load_stack(filled(name, tmp_path / "stacks"))
    docker = load_stack(REPO / "fixtures" / "stacks" / f"{name}.yaml")
    assert hosts.on_hosts and hosts.name == f"vm-{name}"
    assert hosts.topology == docker.topology
    assert {n: s.role for n, s in hosts.nodes.items()} == {
        n: s.role for n, s in docker.nodes.items()
    }
    assert {n for n, s in hosts.nodes.items() if s.ready} == set(docker.nodes)
    for scenario in sorted((REPO / "scenarios" / CASES[name]).glob("*.yaml")):
        loaded = load_scenario(scenario, [tmp_path / "stacks"])
        if loaded.spec.stack == name:
            assert loaded.stack.name == hosts.name  # found in --hachaos-stacks first


def test_every_machine_runs_sshd_and_one_service_per_node(tmp_path: Path) -> None:
    for name in CASES:
        machines = load_stack(FIXTURES / name / "vms.yaml")
        hosts = load_stack(filled(name, tmp_path / name))
        assert set(machines.nodes) == set(hosts.nodes)
        for node, spec in hosts.nodes.items():
            conf = machines.nodes[node].files["/etc/supervisor/hachaos.conf"]
            assert "[program:sshd]" in conf
            assert spec.service is not None and f"[program:{spec.service.supervisor}]" in conf


def _flags(command: list[str]) -> dict[str, str]:
    """`redis-server --save "" --replicaof h 6379` as {"save": '""', "replicaof": "h 6379"}."""
    flags: dict[str, list[str]] = {}
    for token in command[1:]:
        if token.startswith("--"):
            values = flags[token.removeprefix("--")] = []
        else:
            values.append(token or '""')
    return {flag: " ".join(values) for flag, values in flags.items()}


def _conf(text: str) -> dict[str, str]:
    return {k: v for k, _, v in (line.partition(" ") for line in text.splitlines() if line)}


def test_redis_test_hosts_run_the_docker_settings_from_a_file_sentinel_can_rewrite() -> None:
    machines = load_stack(FIXTURES / "redis-sentinel" / "vms.yaml")
    docker = load_stack(REPO / "fixtures" / "stacks" / "redis-sentinel.yaml")
    for name in ("redis-1", "redis-2", "redis-3"):
        files = machines.nodes[name].files
        conf_path = "/etc/redis/hachaos-redis.conf"
        program = files["/etc/supervisor/hachaos.conf"].split("[program:redis]")[1]
        assert f"command=redis-server {conf_path}\n" in program  # nothing overrides the file
        command = docker.nodes[name].command
        assert command is not None
        assert _conf(files[conf_path]) == _flags(list(command))


def test_redis_test_hosts_sentinels_are_configured_as_the_docker_stacks() -> None:
    machines = load_stack(FIXTURES / "redis-sentinel" / "vms.yaml")
    docker = load_stack(REPO / "fixtures" / "stacks" / "redis-sentinel.yaml")
    conf = "/etc/redis/hachaos-sentinel.conf"
    for name in ("sentinel-1", "sentinel-2", "sentinel-3"):
        assert machines.nodes[name].files[conf] == docker.nodes[name].files[conf]
