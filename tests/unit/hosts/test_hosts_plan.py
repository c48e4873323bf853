"""Connection strings, key files, addresses and shared connections of hosts nodes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.backends.hosts.errors import HostAuthFailed
from hachaos.backends.hosts.plan import Endpoint, NodePlan
from hachaos.backends.hosts.transport import ConnectionPool, ShellTransport, SshTransport, wrap
from hachaos.errors import InfraError
from hachaos.spec.hosts import ServiceSpec

SERVICE = ServiceSpec(supervisor="redis")


def plan(
    host: str, name: str = "n1", identity_file: str | None = None, address: str | None = None
) -> NodePlan:
    return NodePlan(
        name=name,
        role="app",
        host=host,
        identity_file=identity_file,
        address=address,
        service=SERVICE,
    )


def test_endpoints_parse_like_testinfra() -> None:
    ep = Endpoint.parse("ssh://deploy@10.0.0.5:2222?ssh_identity_file=/k&sudo=true")
    assert (ep.scheme, ep.user, ep.hostname, ep.port, ep.identity_file, ep.sudo) == (
        "ssh",
        "deploy",
        "10.0.0.5",
        2222,
        "/k",
        True,
    )
    assert Endpoint.parse("docker://postgres@db1").user == "postgres"
    assert Endpoint.parse("local://").scheme == "local"


def test_the_nodes_key_file_wins_then_the_strings_then_the_stacks() -> None:
    assert plan("ssh://h?ssh_identity_file=/q").key_file == "/q"
    assert plan("ssh://h?ssh_identity_file=/q", identity_file="/n").key_file == "/n"
    assert plan("ssh://h").key_file is None
    assert plan("ssh://h", identity_file="~/k").key_file == str(Path("~/k").expanduser())


def test_the_runner_reaches_ports_at_the_address_or_the_ssh_host() -> None:
    assert plan("ssh://root@10.1.2.3:22").runner_address() == "10.1.2.3"
    assert plan("ssh://h", address="192.168.1.9").runner_address() == "192.168.1.9"
    assert plan("local://").runner_address() == "127.0.0.1"
    with pytest.raises(InfraError, match="give it 'address:'"):
        plan("docker://c1").runner_address()


def test_nodes_on_one_host_share_one_connection() -> None:
    pool = ConnectionPool()
    a = pool.get(plan("ssh://root@10.0.0.5:22?sudo=true", name="redis-1"))
    b = pool.get(plan("ssh://root@10.0.0.5:22?sudo=true", name="sentinel-1"))
    c = pool.get(plan("ssh://root@10.0.0.6:22", name="redis-2"))
    assert a is b and a is not c and len(pool) == 2
    assert isinstance(a, SshTransport)
    assert isinstance(pool.get(plan("local://")), ShellTransport)


def test_commands_run_under_the_hosts_own_deadline() -> None:
    assert wrap("echo 'a b'", 2.2, sudo=False) == "timeout -s KILL 3 sh -c 'echo '\"'\"'a b'\"'\"''"
    assert wrap("true", 1, sudo=True).startswith("sudo -n timeout -s KILL 2 sh -c ")


def test_an_unusable_key_file_is_one_line_naming_the_host(tmp_path: Path) -> None:
    (tmp_path / "k").write_text("not a key")
    for key, why in ((tmp_path / "missing", "No such file"), (tmp_path / "k", "cannot use key")):
        transport = SshTransport(plan("ssh://root@127.0.0.1:1", identity_file=str(key)))
        with pytest.raises(HostAuthFailed) as err:
            transport.run("true", 1)
        assert str(err.value).startswith("host ssh://root@127.0.0.1:1: cannot use key file")
        assert why in str(err.value) or why == "cannot use key"
