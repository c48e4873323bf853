"""Profiles: the shipped ones load, bad ones are file:line errors, role keys select nodes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conffakes import stack_of

from hachaos.cli import main
from hachaos.conformance.fields import select
from hachaos.conformance.load import find_profile, load_profile, profile_dirs
from hachaos.conformance.profile import Hardware, Profile
from hachaos.errors import ConfigError
from hachaos.spec.loader import load_stack

REPO = Path(__file__).resolve().parents[3]
PROFILES = sorted((REPO / "fixtures" / "profiles").glob("*.yaml"))


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_shipped_profiles_load(path: Path) -> None:
    assert load_profile(path).name == path.stem


def test_manual_defaults_and_overrides() -> None:
    assert Hardware() == Hardware(cpus=8, memory_gib=16, disk_gb=40, disk_path="/")
    ci = load_profile(REPO / "fixtures/profiles/ci-platform.yaml")
    assert ci.roles["app"].listen == (22, 80, 443, 4567, 5672, 8800)
    assert ci.roles["worker"].listen == (22,)
    demo = load_profile(REPO / "fixtures/profiles/redis-sentinel.yaml")
    assert demo.hardware.cpus == 1 and demo.hardware.disk_gb == 5


def test_bad_profile_is_file_line_errors(tmp_path: Path) -> None:
    bad = tmp_path / "profiles" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text(
        "name: bad\n"
        "roles:\n"
        "  wizard: {listen: [22]}\n"
        "  app: {listen: [99999], colour: red}\n"
        "health:\n"
        "  - {kind: quorum-size, role: etcd, sizes: [1, 4]}\n"
        "workers: {settings: {process: x, file: /etc/w.conf}, build_endpoint: A,\n"
        "          platform_host: B, pool_size: C, token: D}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_profile(bad)
    text = str(err.value)
    assert f"{bad}:3: roles.wizard" in text and "is not a role" in text
    assert f"{bad}:4: roles.app.listen.0" in text
    assert f"{bad}:4: unknown key 'colour' in roles.app" in text
    assert f"{bad}:6: health.0.sizes.1: a quorum cluster needs an odd size" in text
    assert "give exactly one of 'process' or 'file'" in text
    assert main(["validate", str(bad)]) == 2


def test_profile_lookup_by_name_or_path(tmp_path: Path) -> None:
    dirs = profile_dirs(REPO / "suites")
    assert find_profile("platform", dirs) == REPO / "fixtures/profiles/platform.yaml"
    with pytest.raises(ConfigError, match=r"unknown profile '\.\./etc'"):
        find_profile("../etc", dirs)


PLATFORMISH = {
    "name": "plat",
    "nodes": {"lb": {"role": "lb"}, "w": {"role": "worker"}},
}


def test_role_keys_pick_the_included_stack_or_the_own_nodes() -> None:
    spec = load_stack(REPO / "fixtures/stacks/platform.yaml")
    assert set(select("lb", spec)) == {"haproxy", "lb"}
    assert select("pg.lb", spec) == ["haproxy"]
    assert select("platform.lb", spec) == ["lb"]
    assert select("nope.lb", spec) == []
    profile = load_profile(REPO / "fixtures/profiles/platform.yaml")
    assert profile.key_of("haproxy", spec) == "pg.lb"
    assert profile.key_of("lb", spec) == "platform.lb"
    assert profile.key_of("redis-2", spec) == "cache.replica"
    assert profile.nodes_for("pg.replica", spec) == ["pg-2", "pg-3"]


def test_role_override_keeps_the_other_minimums() -> None:
    profile = Profile.model_validate(
        {"name": "p", "hardware": {"cpus": 4}, "roles": {"worker": {"hardware": {"cpus": 2}}}}
    )
    spec = stack_of(PLATFORMISH)
    assert profile.hardware_for("w", spec) == Hardware(cpus=2, memory_gib=16, disk_gb=40)
    assert profile.hardware_for("lb", spec).cpus == 4


def test_the_readme_profile_example_is_a_valid_profile(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme.split("### Profiles", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(example)
    profile = load_profile(path)
    assert {h.kind for h in profile.health} == {
        "postgres-streaming",
        "redis-sentinel",
        "rabbitmq",
        "etcd",
        "quorum-size",
        "command",
    }
    assert profile.backups and profile.workers and profile.runtime
