"""The container runtime: a supported engine and version, a supported storage driver, and the
documented port bindings present. The facts come from the node's backend when the node is a
container it runs (ContainerRuntime), otherwise from the node itself over its testinfra
connection (`docker version`, `docker info`, `docker ps`: a host running the product's
containers)."""

from __future__ import annotations

import re
from functools import partial

from hachaos.conformance.check import Check, cannot_run
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.profile import Profile, Runtime
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.node import ContainerRuntime, RuntimeFacts
from hachaos.spec.models import StackSpec

_BINDING = re.compile(r"(\S+?):(\d+)->(\d+)/tcp")
ASK_SCRIPT = (
    "docker version --format '{{.Server.Version}}' && docker info --format '{{.Driver}}' && "
    "docker ps --format '{{.Ports}}'"
)


def version_tuple(text: str) -> tuple[int, ...]:
    """`20.10.24+dfsg1` -> (20, 10, 24); () when it does not start with a number."""
    m = re.match(r"\d+(?:\.\d+)*", text.strip().lstrip("v"))
    return tuple(int(x) for x in m.group(0).split(".")) if m else ()


def parse_bindings(text: str) -> dict[int, tuple[str, int]]:
    """`docker ps --format {{.Ports}}` lines -> {container port: (host ip, host port)}."""
    out: dict[int, tuple[str, int]] = {}
    for host_ip, host_port, port in _BINDING.findall(text):
        out.setdefault(int(port), (host_ip, int(host_port)))
    return out


def parse_asked(text: str) -> RuntimeFacts | None:
    """Facts from ASK_SCRIPT's output (version line, driver line, then port lines)."""
    lines = text.splitlines()
    if len(lines) < 2:
        return None
    return RuntimeFacts(
        "docker", lines[0].strip(), lines[1].strip(), parse_bindings("\n".join(lines[2:]))
    )


def facts_of(node: str, target: Target) -> RuntimeFacts | Outcome:
    """The runtime facts of `node` (once per target)."""

    def read() -> RuntimeFacts | Outcome:
        handle = target.stack.nodes[node]
        if isinstance(handle, ContainerRuntime):
            return handle.container_runtime()
        try:
            ran = target.shell(node).run(["sh", "-c", ASK_SCRIPT], timeout_s=20)
        except NoConnection as exc:
            ran = Ran(-1, "", str(exc))
        facts = parse_asked(ran.stdout) if ran.ok else None
        return facts if facts is not None else cannot_run(node, "docker version/info", ran)

    return target.memo(("runtime", node), read)


def supported(node: str, spec: Runtime, target: Target) -> Outcome:
    """Engine, version and storage driver are ones the profile supports."""
    facts = facts_of(node, target)
    if isinstance(facts, Outcome):
        return facts
    seen = f"{node}: {facts.engine} {facts.version}, storage driver {facts.storage_driver}"
    wrong = []
    if facts.engine not in spec.engines:
        wrong.append(f"engine {facts.engine} is not one of {', '.join(spec.engines)}")
    if version_tuple(facts.version) < version_tuple(spec.min_version):
        wrong.append(f"version {facts.version} < {spec.min_version}")
    if facts.storage_driver not in spec.storage_drivers:
        wrong.append(
            f"storage driver {facts.storage_driver} is not one of {', '.join(spec.storage_drivers)}"
        )
    if not wrong:
        return Outcome.passed(seen)
    return Outcome.failed(
        f"{seen}: {'; '.join(wrong)}",
        f"run {'/'.join(spec.engines)} >= {spec.min_version} with storage driver "
        f"{' or '.join(spec.storage_drivers)} (dockerd's `storage-driver` in daemon.json)",
    )


def published(node: str, ports: tuple[int, ...], target: Target) -> Outcome:
    """Every documented container port of `node` is published on the host."""
    facts = facts_of(node, target)
    if isinstance(facts, Outcome):
        return facts
    missing = [p for p in ports if p not in facts.bindings]
    if missing and facts.direct_reach:
        return Outcome.skipped(
            f"{node} is reached at its own address, so this run publishes only pinned ports "
            f"({facts.direct_reach} to check its port bindings)"
        )
    shown = ", ".join(f"{p}->{h}:{hp}" for p, (h, hp) in sorted(facts.bindings.items()))
    if not missing:
        return Outcome.passed(f"{node} publishes {shown}")
    return Outcome.failed(
        f"{node} does not publish {', '.join(map(str, missing))} (published: {shown or 'none'})",
        f"publish {', '.join(map(str, missing))} for {node} (docker run -p / compose `ports:`)",
    )


def plan_runtime(profile: Profile, spec: StackSpec) -> list[Check]:
    """Per node: the runtime is supported (with a `runtime` section); the documented bindings
    are present (for roles with `published` ports)."""
    checks = []
    for node, node_spec in spec.nodes.items():
        role = node_spec.role
        if profile.runtime is not None:
            checks.append(
                Check(
                    "runtime",
                    role,
                    node,
                    "supported",
                    f"{node} runs on a supported engine and storage driver",
                    partial(supported, node, profile.runtime),
                )
            )
        ports = profile.requirements(node, spec).published
        if ports:
            checks.append(
                Check(
                    "runtime",
                    role,
                    node,
                    "published",
                    f"{node} publishes {', '.join(map(str, ports))}",
                    partial(published, node, ports),
                )
            )
    return checks
