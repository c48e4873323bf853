"""`hachaos doctor`: what this machine lacks to run hachaos, and (with --fix) provisioning it.

Three layers: `SystemProbe.gather()` observes the machine into frozen `Facts`; `checks()` and
`plan_fix()` are pure functions of those facts (unit-tested with fakes); `Fixer.apply()` runs the
plan through an injectable `Runner`. `--fix` installs the missing host tools of
`hachaos.host_tools` (one list, also what `.ci/run` provisions through), starts dockerd, and
builds the images that are missing or stale. An engine that already answers is never touched.
"""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from hachaos.backends.docker.sdk import sdk_version
from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.host_tools import HOST_TOOLS, HostTool, Need, packages_for
from hachaos.images.engine import DEFAULT_HOST, docker_host

MIN_ENGINE_MAJOR = 20
DOCKERD_LOG = Path("/var/log/hachaos-dockerd.log")
DOCKERD_PIDFILE = Path("/var/run/docker.pid")
ENGINE_WAIT_S = 90.0
INSTALL_HINT = (
    "install Docker Engine (Debian/Ubuntu: apt-get install -y docker.io; elsewhere: "
    "https://docs.docker.com/engine/install/) and start dockerd"
)


@dataclass(frozen=True)
class Facts:
    """Everything doctor observed about the machine, gathered once."""

    docker_host: str
    engine_version: str | None
    engine_error: str = ""
    docker_cli: str | None = None
    tools: tuple[tuple[str, str | None], ...] = ()  # (host tool name, where found or None)
    base_present: bool = False
    dockerd_running: bool = False
    socket_exists: bool = False
    socket_access: bool = False
    is_root: bool = False
    is_debian: bool = False
    images: tuple[tuple[str, str], ...] = ()

    @property
    def answers(self) -> bool:
        """True when an engine answered at `docker_host`."""
        return self.engine_version is not None

    @property
    def missing(self) -> tuple[str, ...]:
        """Names of the host tools that are not installed."""
        return tuple(name for name, where in self.tools if where is None)

    @property
    def images_ready(self) -> bool:
        """True when an engine answered and every catalog image is up to date."""
        return self.answers and all(state == "up to date" for _, state in self.images)

    @property
    def needs(self) -> frozenset[Need]:
        """What the host tools are needed for on this machine now."""
        needs = set()
        if not self.answers and self.is_default_host:
            needs.add(Need.ENGINE)
        if not self.base_present and not self.images_ready:
            needs.add(Need.BASE)
        return frozenset(needs)

    @property
    def needed_packages(self) -> tuple[str, ...]:
        """Debian packages of the missing host tools that are needed now."""
        return packages_for(t.name for t in HOST_TOOLS if self._lacks(t))

    def _lacks(self, t: HostTool) -> bool:
        return t.name in self.missing and t.need in self.needs

    @property
    def local_socket(self) -> str | None:
        """The unix socket path when DOCKER_HOST is a local socket, else None."""
        return self.docker_host.removeprefix("unix://") if self.is_unix else None

    @property
    def is_default_host(self) -> bool:
        """True when DOCKER_HOST is unset or names the default local socket."""
        return self.docker_host == DEFAULT_HOST

    @property
    def is_unix(self) -> bool:
        """True for a `unix://` engine address."""
        return self.docker_host.startswith("unix://")


@dataclass(frozen=True)
class Check:
    """One doctor line: OK or MISSING, what was seen, and how to fix it."""

    name: str
    ok: bool
    detail: str
    hint: str = ""
    required: bool = True

    def line(self) -> str:
        """`OK       name: detail` or `MISSING  name: detail (fix: hint)`."""
        status = "OK" if self.ok else ("MISSING" if self.required else "WARN")
        fix = f" (fix: {self.hint})" if self.hint and not self.ok else ""
        return f"{status:8} {self.name}: {self.detail}{fix}"


class Action(enum.Enum):
    """One provisioning step of `--fix`, in the order they run."""

    APT_INSTALL = "install the missing host packages with apt-get"
    START_DOCKERD = f"start dockerd in the background (log: {DOCKERD_LOG})"
    WAIT_ENGINE = "wait for the engine to answer"
    BUILD_IMAGES = "build the missing or stale images (hachaos images build)"


@dataclass(frozen=True)
class FixPlan:
    """What `--fix` will do, or, when it can do nothing, exactly what the user should do."""

    actions: tuple[Action, ...] = ()
    advice: str = ""
    packages: tuple[str, ...] = ()  # what APT_INSTALL installs


def engine_checks(facts: Facts) -> list[Check]:
    """Checks of the Docker CLI, SDK, engine, socket permission and engine version."""
    cli = Check(
        "docker CLI",
        bool(facts.docker_cli),
        facts.docker_cli or "not on PATH",
        "apt-get install -y docker.io (optional: hachaos uses the SDK)",
        required=False,
    )
    seen = f"answers at {facts.docker_host}"
    if not facts.answers:
        seen = f"no answer at {facts.docker_host} ({facts.engine_error})"
    engine = Check("engine", facts.answers, seen, _engine_hint(facts))
    return [cli, _sdk_check(), engine, _socket_check(facts), _version_check(facts)]


def _engine_hint(facts: Facts) -> str:
    if facts.is_default_host:
        return "run: hachaos doctor --fix (as root), or start dockerd"
    return f"start the engine at {facts.docker_host}, or unset DOCKER_HOST"


def _sdk_check() -> Check:
    version = sdk_version()
    if version is None:
        return Check("docker SDK", False, "not importable", "pip install docker==7.2.0")
    return Check("docker SDK", True, f"docker {version}")


def _socket_check(facts: Facts) -> Check:
    if not facts.is_unix:
        return Check("socket", True, f"not a unix socket ({facts.docker_host})")
    path = facts.local_socket
    if not facts.socket_exists:
        return Check("socket", False, f"{path} does not exist", _engine_hint(facts))
    if not facts.socket_access:
        return Check(
            "socket",
            False,
            f"{path}: permission denied",
            "sudo usermod -aG docker $USER, then log in again",
        )
    return Check("socket", True, f"{path} readable and writable")


def _version_check(facts: Facts) -> Check:
    if facts.engine_version is None:
        return Check("engine version", False, "unknown (no engine)", "start the engine first")
    major = int(facts.engine_version.split(".", 1)[0] or 0)
    ok = major >= MIN_ENGINE_MAJOR
    return Check("engine version", ok, facts.engine_version, f"upgrade to >= {MIN_ENGINE_MAJOR}.10")


def image_checks(facts: Facts) -> list[Check]:
    """One check per catalog image (only meaningful when the engine answers)."""
    if not facts.answers:
        return [Check("images", False, "not checked (no engine)", "start the engine first")]
    return [
        Check(
            f"image {ref}",
            state == "up to date",
            state,
            f"hachaos images build {ref.split('/', 1)[1].split(':', 1)[0]}",
        )
        for ref, state in facts.images
    ]


def tool_checks(facts: Facts) -> list[Check]:
    """One check per host tool; a missing one fails only when it is needed now."""
    found = dict(facts.tools)
    return [_tool_check(t, found.get(t.name), t.need in facts.needs) for t in HOST_TOOLS]


def _tool_check(t: HostTool, where: str | None, needed: bool) -> Check:
    name = f"host tool {t.name}"
    if where is not None:
        return Check(name, True, where)
    if not needed:
        return Check(name, True, f"not installed; not needed now (it is only {t.need.value})")
    hint = f"hachaos doctor --fix (as root), or apt-get install -y {t.package}"
    return Check(name, False, f"not installed; needed {t.need.value}", hint)


def checks(facts: Facts) -> list[Check]:
    """Every doctor check: host tools, engine, then images."""
    return tool_checks(facts) + engine_checks(facts) + image_checks(facts)


def plan_fix(facts: Facts) -> FixPlan:
    """What `--fix` should do for these facts; never anything to an engine that answers."""
    if facts.answers:
        return _plan_with_engine(facts)
    if not facts.is_default_host:
        return FixPlan(
            advice=f"DOCKER_HOST={facts.docker_host} does not answer; start that "
            "engine or unset DOCKER_HOST"
        )
    if facts.socket_exists and not facts.socket_access and not facts.is_root:
        return FixPlan(advice="permission denied on the socket: sudo usermod -aG docker $USER")
    if not (facts.is_root and facts.is_debian):
        return FixPlan(advice=INSTALL_HINT)
    packages = facts.needed_packages
    actions = [Action.APT_INSTALL] if packages else []
    advice = ""
    if facts.dockerd_running:
        advice = "dockerd is running but not answering yet"
    else:
        actions.append(Action.START_DOCKERD)
    actions += [Action.WAIT_ENGINE, Action.BUILD_IMAGES]
    return FixPlan(tuple(actions), advice, packages)


def _plan_with_engine(facts: Facts) -> FixPlan:
    """An engine answers: leave it alone; install the base tools and build images if needed."""
    advice = "an engine already answers; leaving it alone"
    packages = facts.needed_packages
    can_apt = facts.is_root and facts.is_debian
    if packages and not can_apt:
        advice += f"; install {' '.join(packages)} to build the base image without a registry"
    actions = [Action.APT_INSTALL] if packages and can_apt else []
    if not facts.images_ready:
        actions.append(Action.BUILD_IMAGES)
    return FixPlan(tuple(actions), advice, packages if can_apt else ())


class Runner(Protocol):
    """Runs provisioning commands; tests inject a recording fake."""

    def run(self, argv: Sequence[str]) -> int:
        """Run a command to completion; its exit status."""
        ...

    def spawn(self, argv: Sequence[str], log: Path) -> None:
        """Start a long-lived command in the background, output appended to `log`."""
        ...


class SubprocessRunner:
    """The real runner: subprocess, non-interactive apt."""

    def run(self, argv: Sequence[str]) -> int:
        """Run a command to completion; its exit status."""
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        return subprocess.run(list(argv), env=env, stdin=subprocess.DEVNULL, check=False).returncode

    def spawn(self, argv: Sequence[str], log: Path) -> None:
        """Start a detached background process logging to `log`."""
        with log.open("ab") as out:
            subprocess.Popen(
                list(argv),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )


@dataclass
class Fixer:
    """Carries out a FixPlan; `ping` says whether the engine answers (raises or returns False)."""

    runner: Runner
    ping: Callable[[], bool]
    build: Callable[[], bool] = lambda: True
    clock: Clock = field(default_factory=lambda: REAL_CLOCK)
    say: Callable[[str], None] = print
    timeout_s: float = ENGINE_WAIT_S
    done: list[Action] = field(default_factory=list)

    def apply(self, plan: FixPlan) -> bool:
        """Run every action in order; False (with a message) at the first that fails."""
        for action in plan.actions:
            self.say(f"fix: {action.value}")
            if not self._step(action, plan):
                return False
            self.done.append(action)
        return True

    def _step(self, action: Action, plan: FixPlan) -> bool:
        if action is Action.APT_INSTALL:
            return self._apt(plan.packages)
        if action is Action.START_DOCKERD:
            self.runner.spawn(["dockerd"], DOCKERD_LOG)
            return True
        if action is Action.BUILD_IMAGES:
            return self.build()
        return self._wait()

    def _apt(self, packages: tuple[str, ...]) -> bool:
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
        for argv in (["apt-get", "update", "-q"], install):
            if self.runner.run(argv) != 0:
                self.say(f"fix: {' '.join(argv)} failed; run it by hand to see why")
                return False
        return True

    def _wait(self) -> bool:
        try:
            wait_until(
                self.ping,
                bool,
                what="Docker engine to answer",
                timeout_s=self.timeout_s,
                interval_s=0.2,
                clock=self.clock,
            )
        except DeadlineExceeded as exc:
            self.say(f"fix: {exc}; see {DOCKERD_LOG}")
            return False
        return True


class SystemProbe:
    """Observes the real machine."""

    def gather(self) -> Facts:
        """Facts about the engine, the socket, privileges and images."""
        host = docker_host()
        version, error = _engine_version()
        sock = host.removeprefix("unix://") if host.startswith("unix://") else None
        return Facts(
            docker_host=host,
            engine_version=version,
            engine_error=error,
            docker_cli=shutil.which("docker"),
            tools=tuple((t.name, t.location()) for t in HOST_TOOLS),
            base_present=bool(version) and _base_present(),
            dockerd_running=_pid_alive(DOCKERD_PIDFILE),
            socket_exists=bool(sock and os.path.exists(sock)),
            socket_access=bool(sock and os.access(sock, os.R_OK | os.W_OK)),
            is_root=os.geteuid() == 0,
            is_debian=Path("/etc/debian_version").is_file(),
            images=_images() if version else (),
        )


def ping_engine() -> bool:
    """True when an engine answers at DOCKER_HOST (a short timeout; never raises)."""
    return _engine_version(timeout_s=3)[0] is not None


def _engine_version(timeout_s: int = 5) -> tuple[str | None, str]:
    try:
        from hachaos.backends.docker.engine import engine_version
    except ImportError as exc:  # no SDK: the sdk check says how to get it
        return None, str(exc)[:160]
    return engine_version(timeout_s)


def _images() -> tuple[tuple[str, str], ...]:
    from hachaos.images import image_statuses
    from hachaos.images.engine import connect

    return tuple((s.ref, s.state.value) for s in image_statuses(connect()))


def _base_present() -> bool:
    from hachaos.images.base import base_present
    from hachaos.images.engine import connect

    return base_present(connect())


def _pid_alive(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
    except (OSError, ValueError):
        return False
    return True
