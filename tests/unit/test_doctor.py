"""Unit tests of doctor's decisions: pure functions of Facts, and the fixer with fakes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from hachaos.clock import FakeClock
from hachaos.doctor import Action, Facts, Fixer, checks, plan_fix
from hachaos.host_tools import HOST_TOOLS

DEFAULT = "unix:///var/run/docker.sock"
ALL_TOOLS = tuple((t.name, f"/usr/bin/{t.name}") for t in HOST_TOOLS)


def without(*names: str) -> tuple[tuple[str, str | None], ...]:
    """The host tool facts with `names` missing."""
    return tuple((n, None if n in names else where) for n, where in ALL_TOOLS)


UP = Facts(
    docker_host=DEFAULT,
    engine_version="20.10.24+dfsg1",
    docker_cli="/usr/bin/docker",
    tools=ALL_TOOLS,
    base_present=True,
    socket_exists=True,
    socket_access=True,
    is_root=True,
    is_debian=True,
    images=(("hachaos/tools:latest", "up to date"), ("hachaos/redis:latest", "up to date")),
)
DOWN = replace(UP, engine_version=None, engine_error="connection refused", images=())


@dataclass
class FakeRunner:
    """Records commands; `fail` lists argv[0..1] prefixes that exit non-zero."""

    fail: tuple[str, ...] = ()
    ran: list[list[str]] = field(default_factory=list)
    spawned: list[list[str]] = field(default_factory=list)

    def run(self, argv: Sequence[str]) -> int:
        self.ran.append(list(argv))
        return 1 if " ".join(argv[:2]) in self.fail else 0

    def spawn(self, argv: Sequence[str], log: Path) -> None:
        self.spawned.append(list(argv))


def _lines(facts: Facts) -> dict[str, str]:
    return {c.name: c.line() for c in checks(facts)}


# --- checks -------------------------------------------------------------------------------


def test_all_ok_when_engine_answers_and_images_built() -> None:
    found = checks(UP)
    assert all(c.ok for c in found)
    assert all(line.startswith("OK ") for line in _lines(UP).values())


def test_missing_engine_is_reported_with_host_and_hint() -> None:
    line = _lines(DOWN)["engine"]
    assert line.startswith("MISSING")
    assert "unix:///var/run/docker.sock" in line
    assert "connection refused" in line
    assert "hachaos doctor --fix" in line


def test_permission_denied_hint() -> None:
    line = _lines(replace(UP, socket_access=False))["socket"]
    assert "permission denied" in line
    assert "usermod -aG docker" in line


def test_old_engine_is_missing() -> None:
    assert _lines(replace(UP, engine_version="19.03.1"))["engine version"].startswith("MISSING")


def test_stale_image_names_the_build_command() -> None:
    facts = replace(UP, images=(("hachaos/redis:latest", "stale"),))
    line = _lines(facts)["image hachaos/redis:latest"]
    assert line.startswith("MISSING")
    assert "hachaos images build redis" in line


def test_missing_cli_is_only_a_warning() -> None:
    cli = next(c for c in checks(replace(UP, docker_cli=None)) if c.name == "docker CLI")
    assert not cli.ok
    assert not cli.required
    assert cli.line().startswith("WARN")


# --- plan_fix -----------------------------------------------------------------------------


def test_never_touches_an_answering_engine() -> None:
    for facts in (UP, replace(UP, is_root=False), replace(UP, tools=without("dockerd"))):
        assert plan_fix(facts).actions == ()


FRESH = replace(DOWN, tools=without(*(t.name for t in HOST_TOOLS)), base_present=False)


def test_fresh_machine_installs_every_tool_starts_engine_and_builds_images() -> None:
    plan = plan_fix(FRESH)
    assert plan.actions == (
        Action.APT_INSTALL,
        Action.START_DOCKERD,
        Action.WAIT_ENGINE,
        Action.BUILD_IMAGES,
    )
    assert plan.packages == (
        "docker.io",
        "iptables",
        "debootstrap",
        "debian-archive-keyring",
        "gpgv",
    )


def test_root_debian_with_every_tool_only_starts_and_builds() -> None:
    assert plan_fix(replace(DOWN, base_present=False)).actions == (
        Action.START_DOCKERD,
        Action.WAIT_ENGINE,
        Action.BUILD_IMAGES,
    )


def test_running_dockerd_is_only_waited_for() -> None:
    plan = plan_fix(replace(DOWN, dockerd_running=True))
    assert plan.actions == (Action.WAIT_ENGINE, Action.BUILD_IMAGES)


def test_missing_images_are_built_by_fix_without_touching_the_engine() -> None:
    facts = replace(UP, images=(("hachaos/redis:latest", "missing"),))
    assert plan_fix(facts).actions == (Action.BUILD_IMAGES,)


def test_missing_images_and_no_base_install_debootstrap_first() -> None:
    facts = replace(
        UP,
        images=(("hachaos/redis:latest", "missing"),),
        base_present=False,
        tools=without("debootstrap", "gpgv"),
    )
    plan = plan_fix(facts)
    assert plan.actions == (Action.APT_INSTALL, Action.BUILD_IMAGES)
    assert plan.packages == ("debootstrap", "gpgv")


def test_debootstrap_not_needed_when_images_are_built() -> None:
    facts = replace(UP, base_present=False, tools=without("debootstrap"))
    assert plan_fix(facts).actions == ()
    assert _lines(facts)["host tool debootstrap"].startswith("OK")


def test_missing_debootstrap_is_reported_when_needed() -> None:
    facts = replace(FRESH, is_root=False)
    line = _lines(facts)["host tool debootstrap"]
    assert line.startswith("MISSING")
    assert "apt-get install -y debootstrap" in line


def test_engine_tools_not_needed_when_an_engine_answers() -> None:
    line = _lines(replace(UP, tools=without("dockerd", "iptables")))["host tool dockerd"]
    assert line.startswith("OK")
    assert "not needed" in line


def test_non_root_with_engine_gets_advice_not_apt() -> None:
    facts = replace(
        UP,
        is_root=False,
        base_present=False,
        tools=without("debootstrap"),
        images=(("hachaos/redis:latest", "missing"),),
    )
    plan = plan_fix(facts)
    assert plan.actions == (Action.BUILD_IMAGES,)
    assert "install debootstrap" in plan.advice


@pytest.mark.parametrize(
    ("facts", "advice"),
    [
        (replace(DOWN, is_root=False), "apt-get install -y docker.io"),
        (replace(DOWN, is_debian=False), "docs.docker.com"),
        (replace(DOWN, docker_host="tcp://10.0.0.5:2375"), "unset DOCKER_HOST"),
        (replace(DOWN, docker_host="unix:///run/user/1000/docker.sock"), "unset DOCKER_HOST"),
        (replace(DOWN, is_root=False, socket_access=False), "usermod -aG docker"),
    ],
)
def test_no_actions_outside_root_debian_only_advice(facts: Facts, advice: str) -> None:
    plan = plan_fix(facts)
    assert plan.actions == ()
    assert advice in plan.advice


# --- Fixer --------------------------------------------------------------------------------


def test_fixer_runs_apt_then_dockerd_then_waits_then_builds() -> None:
    runner, pings, builds = FakeRunner(), iter([False, False, True]), []

    def build() -> bool:
        builds.append(1)
        return True

    fixer = Fixer(runner, lambda: next(pings), build, clock=FakeClock(), say=lambda _: None)
    assert fixer.apply(plan_fix(replace(FRESH, tools=without("dockerd"))))
    install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "docker.io"]
    assert runner.ran == [["apt-get", "update", "-q"], install]
    assert runner.spawned == [["dockerd"]]
    assert builds == [1]
    assert fixer.done == [
        Action.APT_INSTALL,
        Action.START_DOCKERD,
        Action.WAIT_ENGINE,
        Action.BUILD_IMAGES,
    ]


def test_fixer_stops_when_apt_fails() -> None:
    runner = FakeRunner(fail=("apt-get install",))
    fixer = Fixer(runner, lambda: True, clock=FakeClock(), say=lambda _: None)
    assert not fixer.apply(plan_fix(FRESH))
    assert runner.spawned == []


def test_fixer_reports_a_failed_build() -> None:
    fixer = Fixer(FakeRunner(), lambda: True, lambda: False, clock=FakeClock(), say=lambda _: None)
    assert not fixer.apply(plan_fix(replace(UP, images=(("hachaos/redis:latest", "stale"),))))
    assert fixer.done == []


def test_fixer_wait_has_a_deadline() -> None:
    said: list[str] = []
    fixer = Fixer(FakeRunner(), lambda: False, clock=FakeClock(), say=said.append, timeout_s=5)
    assert not fixer.apply(plan_fix(DOWN))
    assert "Docker engine to answer: not reached within 5s" in said[-1]
    assert "hachaos-dockerd.log" in said[-1]
