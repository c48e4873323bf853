"""The support bundle: what it holds (logs, system, status, topology, the redacted stack),
that no secret survives in it, its bounds (deadline, part and total size), where it is
written, and `hachaos bundle RUN_ID`."""

from __future__ import annotations

import tarfile
import threading
from pathlib import Path

import pytest
from backend_fakes import FakeBackend
from fakes import FakeNode

from hachaos.backends.base import RunInfo
from hachaos.cli import main
from hachaos.node import ExecResult
from hachaos.report import bundle as bundle_mod
from hachaos.report.bundle import bundle_path, write_bundle
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec

TOKEN = "tok-9f8e7d6c"
PASSWORD = "hachaos-test-only"
SPEC = StackSpec.model_validate(
    {
        "name": "plat",
        "image": "x",
        "topology": {
            "kind": "patroni",
            "entry": {"node": "pg-1", "port": 5432},
            "password": PASSWORD,
        },
        "nodes": {
            "pg-1": {
                "role": "primary",
                "env": {"PLATFORM_TOKEN": TOKEN, "MODE": "ha"},
                "files": {"/etc/app/cookie": "COOKIEVALUE123"},
            },
            "w-1": {"role": "worker"},
        },
    }
)


def primary_node(name: str, log: str = "", gate: threading.Event | None = None) -> FakeNode:
    """A primary whose status output shows secrets, answered once `gate` (if any) opens."""

    def answer(cmd: tuple[str, ...]) -> ExecResult:
        if gate is not None:
            gate.wait(10)
        return ExecResult(0, f"## processes\npostgres -c password={PASSWORD}\nuses {TOKEN}\n")

    return FakeNode(name, "primary", log=log, answer=answer)


def members(path: Path) -> dict[str, str]:
    out = {}
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            assert handle is not None
            out[member.name] = handle.read().decode()
    return out


def test_bundle_holds_every_part_and_no_secret(tmp_path: Path) -> None:
    log = (
        f"login with {TOKEN}\nconnect postgresql://app:{PASSWORD}@pg-1/db\ncookie COOKIEVALUE123\n"
    )
    stack = RunningStack(
        SPEC, "hc-77", "fake", {"pg-1": primary_node("pg-1", log), "w-1": primary_node("w-1")}, 0
    )
    bundle = write_bundle(stack, "kill-primary", tmp_path)
    assert bundle.path == tmp_path / "kill-primary-hc-77.tar.gz" and bundle.size > 0
    got = members(bundle.path)
    root = "kill-primary-hc-77/"
    assert {
        root + n
        for n in (
            "MANIFEST.txt",
            "topology.txt",
            "stack.yaml",
            "nodes/pg-1/service.log",
            "nodes/pg-1/system.txt",
            "nodes/pg-1/status.txt",
            "nodes/w-1/service.log",
        )
    } <= set(got)
    everything = "\n".join(got.values())
    for secret in (TOKEN, PASSWORD, "COOKIEVALUE123"):
        assert secret not in everything
    assert "PLATFORM_TOKEN: '***'" in got[root + "stack.yaml"]
    assert "MODE: ha" in got[root + "stack.yaml"]
    assert "timed out: none" in got[root + "MANIFEST.txt"]


def test_bundle_is_bounded_in_time_and_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = threading.Event()
    monkeypatch.setattr(bundle_mod, "DEADLINE_S", 3.0)
    monkeypatch.setattr(bundle_mod, "PART_LIMIT", 1000)
    big = "x" * 5000 + "\nthe last line\n"
    nodes = {"pg-1": primary_node("pg-1", big), "w-1": primary_node("w-1", gate=gate)}
    stack = RunningStack(SPEC, "hc-78", "fake", nodes, 0)
    try:
        bundle = write_bundle(stack, "s", tmp_path)
    finally:
        gate.set()
    assert bundle.timed_out == ("w-1",) and bundle.seconds < 8
    got = members(bundle.path)
    log = got["s-hc-78/nodes/pg-1/service.log"]
    assert log.startswith("(first ") and log.endswith("the last line\n")
    assert "timed out: w-1" in got["s-hc-78/MANIFEST.txt"]


def test_bundle_names_cannot_choose_the_directory(tmp_path: Path) -> None:
    assert bundle_path(tmp_path, "quorum-lose-majority[size=3]", "hc-1").name == (
        "quorum-lose-majority-size-3-hc-1.tar.gz"
    )
    assert bundle_path(tmp_path, "../../etc/x", "hc-1").parent == tmp_path


def test_bundle_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live = RunInfo("hc-live", "redis-sentinel", ("pg-1",), "1/1 running")
    backend = FakeBackend("fake", True, {"pg-1": primary_node("pg-1", "ok\n")}, listed=[live])
    monkeypatch.setattr("hachaos.commands.bundle.get_backend", lambda name: backend)
    assert main(["bundle", "hc-nope"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no run 'hc-nope' on backend fake" in err
    repo_stacks = Path(__file__).resolve().parents[2] / "fixtures" / "stacks"
    assert main(["bundle", "hc-live", "--out", str(tmp_path), "--stacks", str(repo_stacks)]) == 0
    out = capsys.readouterr().out
    assert "redis-sentinel-hc-live.tar.gz" in out and "from 1 nodes" in out
    assert (tmp_path / "redis-sentinel-hc-live.tar.gz").is_file()
    with tarfile.open(tmp_path / "redis-sentinel-hc-live.tar.gz") as tar:
        assert any(m.name.endswith("stack.yaml") for m in tar.getmembers())
