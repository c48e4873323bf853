"""Backups restored for real (tar on this machine through testinfra's local backend, into a
scratch directory that is removed), and the container runtime's version, driver and
bindings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conffakes import ConnectableNode, stack_of, target_of, when

from hachaos.conformance.backups import parse_listing, parse_restore
from hachaos.conformance.outcome import Status
from hachaos.conformance.plan import plan
from hachaos.conformance.profile import Profile
from hachaos.conformance.runtime import parse_asked, parse_bindings, version_tuple
from hachaos.conformance.shell import Remote, TestinfraShell
from hachaos.conformance.target import Target
from hachaos.node import RuntimeFacts
from hachaos.running import RunningStack

STACK = stack_of({"name": "app", "nodes": {"app-1": {"role": "app"}, "backup": {"role": "worker"}}})


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """The "node's" key and data directory (on this machine), beside the store: tar fails
    (file changed as we read it) now and then when the archive it writes is inside."""
    live = tmp_path / "live"
    (live / "data").mkdir(parents=True)
    (live / "data" / "PG_VERSION").write_text("15\n")
    (live / "key").write_text("not really a key\n")
    return live


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's TMPDIR, where the restores make their scratch directory (not the shared
    /tmp, where other runs' restores come and go); dated 1970 to show one was made there."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    os.utime(scratch, (0, 0))
    return scratch


def _backup(live: Path, archive: Path) -> None:
    archive.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["tar", "-czf", str(archive), "-C", "/", str(live.relative_to("/"))], check=True)


def _target(live: Path, store: dict[str, str]) -> Target:
    profile = Profile.model_validate(
        {
            "name": "p",
            "backups": [
                {
                    "name": "key",
                    "role": "app",
                    "paths": [str(live / "key"), str(live / "data")],
                    "verify": "checksum",
                    "store": store,
                    "max_age_h": 1,
                }
            ],
        }
    )
    nodes = {n: ConnectableNode(n, s.role.value) for n, s in STACK.nodes.items()}
    stack = RunningStack(STACK, "hc-test", "fake", nodes, 0.0)

    def connect(where: str) -> Remote:  # every machine is this one, reached for real
        return TestinfraShell("local://")

    return Target(stack, profile, connect)


def test_a_backup_off_the_node_restores_and_matches(
    live: Path, tmp_path: Path, scratch: Path
) -> None:
    _backup(live, tmp_path / "store" / "app-1-key-1.tar.gz")
    target = _target(live, {"host": "local://", "path": f"{tmp_path}/store/{{node}}-key-*.tar.gz"})
    [check] = plan(target.profile, STACK, "backups")
    outcome = check.judge(target)
    assert outcome.status is Status.PASS, outcome.message
    assert "restores" in outcome.observed and "(checksum)" in outcome.observed
    assert scratch.stat().st_mtime > 0  # the restore made its scratch directory here
    assert not any(scratch.iterdir())  # and removed it


@pytest.mark.usefixtures("scratch")
def test_a_changed_key_missing_backup_and_backup_on_the_node_fail(
    live: Path, tmp_path: Path
) -> None:
    _backup(live, tmp_path / "store" / "app-1-key-1.tar.gz")
    (live / "key").write_text("rotated since the backup\n")
    target = _target(live, {"host": "local://", "path": f"{tmp_path}/store/*.tar.gz"})
    [check] = plan(target.profile, STACK, "backups")
    changed = check.judge(target)
    assert changed.status is Status.FAIL
    assert "1 restored file(s) differ from app-1's" in changed.observed
    assert "rotated" not in changed.message  # names only, never contents
    none = _target(live, {"host": "local://", "path": f"{tmp_path}/nowhere/*.tar.gz"})
    missing = plan(none.profile, STACK, "backups")[0].judge(none)
    assert "no key backup of app-1" in missing.observed and "back up" in missing.fix
    same = _target(live, {"node": "app-1", "path": f"{tmp_path}/store/*.tar.gz"})
    on_node = plan(same.profile, STACK, "backups")[0].judge(same)
    assert "kept on app-1 itself" in on_node.observed


def test_restore_output_parsing() -> None:
    text = "archive /b/x.tar.gz 120 1000 1060\n## /k\nabc  k\n## /d missing\n"
    archive = parse_restore(text)
    assert (
        archive is not None
        and archive.age_s == 60
        and archive.files == {"/k": {"k": "abc"}, "/d": None}
    )
    assert parse_restore("") is None
    assert parse_listing(["## /x", "h  x/a", "h2  x/b"]) == {"/x": {"x/a": "h", "x/b": "h2"}}


class RuntimeNode(ConnectableNode):
    def container_runtime(self) -> RuntimeFacts:
        return RuntimeFacts("docker", "19.03.15", "devicemapper", {80: ("127.0.0.1", 32768)})


def test_runtime_from_the_backend_and_from_the_node() -> None:
    assert version_tuple("20.10.24+dfsg1") == (20, 10, 24) and version_tuple("x") == ()
    assert parse_bindings("0.0.0.0:443->443/tcp, :::443->443/tcp\n") == {443: ("0.0.0.0", 443)}
    assert parse_asked("24.0.7\noverlay2\n0.0.0.0:80->8080/tcp\n") == RuntimeFacts(
        "docker", "24.0.7", "overlay2", {8080: ("0.0.0.0", 80)}
    )
    spec = stack_of({"name": "s", "nodes": {"lb": {"role": "lb"}}})
    profile = {"runtime": {}, "roles": {"lb": {"published": [80, 443]}}}
    target, _ = target_of(
        spec, profile, {"lb": [when("docker", "24.0.7\noverlay2\n0.0.0.0:80->80/tcp\n")]}
    )
    supported, published = plan(target.profile, spec, "runtime")
    assert supported.judge(target).status is Status.PASS
    missing = published.judge(target)
    assert missing.status is Status.FAIL and "does not publish 443" in missing.observed
    old = Target(
        RunningStack(spec, "r", "fake", {"lb": RuntimeNode("lb", "lb")}, 0.0),
        target.profile,
        lambda w: target.shell("lb"),
    )
    outcome = supported.judge(old)
    assert "version 19.03.15 < 20.10" in outcome.observed
    assert "storage driver devicemapper is not one of overlay2" in outcome.observed
