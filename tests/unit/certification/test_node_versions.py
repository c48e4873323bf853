"""Versions read from nodes: the script, the parser, a node that cannot be asked."""

from __future__ import annotations

import subprocess
from pathlib import Path

from fakes import FakeNode, replies

from hachaos.certification.facts import stack_record
from hachaos.certification.versions import (
    VERSION_COMMANDS,
    parse_versions,
    stack_versions,
    version_script,
)
from hachaos.node import ExecResult, ImageFacts

# what the real images print (hachaos/postgres, redis, rabbitmq, haproxy, Debian 12; RabbitMQ
# and Erlang read from the files rabbitmq-server 3.10.8-1.1+deb12u1 and erlang-base
# 1:25.2.3+dfsg-1+deb12u4 install: lib/rabbitmq_server-3.10.8/, releases/25/OTP_VERSION)
REAL_OUTPUT = """\
postgres=postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)
patroni=patroni 3.0.2
etcd=etcd Version: 3.4.23
redis=Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=ae4d7c971a948f0
rabbitmq=3.10.8
erlang=25.2.3
haproxy=HAProxy version 2.6.12-1+deb12u4 2026/10/17 - https://haproxy.org/
unrelated=1.2.3
app=
"""


class ImagedNode(FakeNode):
    """A node that also says which image it runs."""

    def image(self) -> ImageFacts:
        return ImageFacts("hachaos/redis:latest", "sha-123")


def _engine_gone(cmd: tuple[str, ...]) -> ExecResult:
    raise ConnectionError("engine went away")


def test_parse_real_outputs() -> None:
    assert parse_versions(REAL_OUTPUT) == {
        "postgres": "15.20",
        "patroni": "3.0.2",
        "etcd": "3.4.23",
        "redis": "7.0.15",
        "rabbitmq": "3.10.8",
        "erlang": "25.2.3",
        "haproxy": "2.6.12-1+deb12u4",
    }


def test_script_asks_each_tool_only_where_it_exists() -> None:
    script = version_script()
    assert "command -v redis-server" in script
    assert "command -v patroni" in script
    assert script.endswith("true")


def test_a_node_that_cannot_be_asked_has_no_versions_and_calls_are_bounded() -> None:
    good = FakeNode("a", "master", answer=replies(REAL_OUTPUT))
    bad = FakeNode("b", "master", answer=_engine_gone)
    found = stack_versions({"a": good, "b": bad}, timeout_s=7)
    assert found["a"]["redis"] == "7.0.15"
    assert found["b"] == {}
    assert good.timeouts == [7]


def test_stack_record_has_image_hash_and_versions() -> None:
    class Stack:
        class spec:
            name = "redis-sentinel"

        nodes = {
            "redis-1": ImagedNode(
                "redis-1", "master", answer=replies("redis=Redis server v=7.0.15\n")
            )
        }

    rec = stack_record(Stack())  # type: ignore[arg-type]
    node = rec.nodes["redis-1"]
    assert (node.image, node.image_hash, node.software) == (
        "hachaos/redis:latest",
        "sha-123",
        {"redis": "7.0.15"},
    )


def _run(script: str, path: Path) -> str:
    env = {"PATH": f"{path}:/usr/bin:/bin"}
    done = subprocess.run(["sh", "-c", script], check=True, capture_output=True, text=True, env=env)
    return done.stdout


def _executable(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def test_erlang_is_read_from_its_release_file_without_booting_a_vm(tmp_path: Path) -> None:
    # Debian's layout: /usr/bin/erl -> /usr/lib/erlang/bin/erl, releases/25/OTP_VERSION
    erl = _executable(tmp_path / "lib/erlang/bin/erl", "#!/bin/sh\necho booted-a-vm\n")
    (tmp_path / "lib/erlang/releases/25").mkdir(parents=True)
    (tmp_path / "lib/erlang/releases/25/OTP_VERSION").write_text("25.2.3\n")
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin/erl").symlink_to(erl)
    script = version_script({"erlang": VERSION_COMMANDS["erlang"]})
    assert parse_versions(_run(script, tmp_path / "bin")) == {"erlang": "25.2.3"}


def test_without_the_files_the_version_commands_answer(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _executable(bin_dir / "erl", "#!/bin/sh\necho 26\n")
    _executable(bin_dir / "rabbitmqctl", "#!/bin/sh\necho 3.13.7\n")
    commands = {k: VERSION_COMMANDS[k] for k in ("erlang", "rabbitmq")}
    found = parse_versions(_run(version_script(commands), bin_dir))
    assert found == {"erlang": "26", "rabbitmq": "3.13.7"}
