"""Worker configuration: the build endpoint and the platform host set (not commented out, the
host resolvable from the worker), the pool size not above the worker's CPUs, and the security
token equal to the broker's password, compared without showing either."""

from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

from hachaos.conformance.broker import is_password, stored_users
from hachaos.conformance.check import Check, cannot_run
from hachaos.conformance.fields import select
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.profile import Profile, Workers
from hachaos.conformance.settings import Settings, read_settings
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec

CTL_TIMEOUT_S = 30.0


def settings_of(node: str, workers: Workers, target: Target) -> Settings | Ran:
    """The worker's settings (read once per target)."""

    def read() -> Settings | Ran:
        try:
            return read_settings(target.shell(node), workers.settings)
        except NoConnection as exc:
            return Ran(-1, "", str(exc))

    return target.memo(("settings", node), read)


def _setting(node: str, key: str, workers: Workers, target: Target) -> str | Outcome:
    """The value of `key`, or the failed outcome saying why there is none."""
    settings = settings_of(node, workers, target)
    if isinstance(settings, Ran):
        return cannot_run(
            node, f"read settings ({workers.settings.file or 'environment'})", settings
        )
    if settings.values.get(key, "").strip():
        return settings.values[key]
    if key in settings.commented:
        return Outcome.failed(
            f"{node}: {key} is commented out ({settings.source}, line {settings.commented[key]})",
            f"remove the leading '#' from {key} in {settings.source} and restart the worker",
        )
    return Outcome.failed(
        f"{node}: {key} is not set in {settings.source}",
        f"set {key} in {settings.source} and restart the worker",
    )


def build_endpoint_set(node: str, workers: Workers, target: Target) -> Outcome:
    """The build endpoint setting has a value."""
    value = _setting(node, workers.build_endpoint, workers, target)
    if isinstance(value, Outcome):
        return value
    return Outcome.passed(f"{node}: {workers.build_endpoint} is set")


def host_of(value: str) -> str:
    """The host in a URL or `host:port` (the first one of a comma-separated list)."""
    first = value.split(",", maxsplit=1)[0].strip()
    if "://" in first:
        return urlsplit(first).hostname or ""
    return first.rsplit(":", 1)[0] if first.count(":") == 1 else first


def platform_host_set(node: str, workers: Workers, target: Target) -> Outcome:
    """The platform host setting has a value whose host name resolves on the worker."""
    value = _setting(node, workers.platform_host, workers, target)
    if isinstance(value, Outcome):
        return value
    host = host_of(value)
    ran = target.shell(node).run(["getent", "hosts", host], timeout_s=10)
    if ran.ok:
        return Outcome.passed(f"{node}: {workers.platform_host} is set; {host} resolves")
    return Outcome.failed(
        f"{node}: {workers.platform_host} names host {host}, which does not resolve there",
        f"point {workers.platform_host} at the platform's address (DNS name or IP the worker "
        "resolves) and restart the worker",
    )


def pool_fits(node: str, workers: Workers, target: Target) -> Outcome:
    """The pool size is a whole number from 1 to the worker's CPUs."""
    value = _setting(node, workers.pool_size, workers, target)
    if isinstance(value, Outcome):
        return value
    facts = target.facts(node)
    if isinstance(facts, Ran) or facts.cpus is None:
        return cannot_run(node, "nproc", facts if isinstance(facts, Ran) else Ran(1, ""))
    if not value.strip().isdigit():
        return Outcome.failed(
            f"{node}: {workers.pool_size}={value!r} is not a whole number",
            f"set {workers.pool_size} to a number from 1 to {facts.cpus}",
        )
    pool = int(value)
    if 1 <= pool <= facts.cpus:
        return Outcome.passed(f"{node}: {workers.pool_size}={pool} <= {facts.cpus} CPUs")
    return Outcome.failed(
        f"{node}: {workers.pool_size}={pool}, the node has {facts.cpus} CPUs",
        f"set {workers.pool_size} between 1 and {facts.cpus} (or give the worker more CPUs)",
    )


def _definitions(workers: Workers, target: Target) -> str | Outcome:
    """The broker's exported definitions from the first broker node that answers."""
    assert workers.broker is not None
    tried = []
    for broker in target.selected(workers.broker.role):
        try:
            ran = target.shell(broker).run_secret(
                ["rabbitmqctl", "-q", "export_definitions", "-"], timeout_s=CTL_TIMEOUT_S
            )
        except NoConnection as exc:
            tried.append(str(exc))
            continue
        if ran.ok:
            return ran.stdout
        tried.append(f"{broker}: {ran.why(120)}")
    return Outcome.failed(
        f"no {workers.broker.role} node answers rabbitmqctl export_definitions "
        f"({'; '.join(tried) or 'none declared'})",
        "start the broker (the token is checked against the broker's stored password)",
    )


def token_is_broker_password(node: str, workers: Workers, target: Target) -> Outcome:
    """The token setting is set and is the password of the broker user."""
    token = _setting(node, workers.token, workers, target)
    if isinstance(token, Outcome) or workers.broker is None:
        return token if isinstance(token, Outcome) else Outcome.passed(f"{workers.token} is set")
    user = workers.broker.user
    if user is None:
        found = _setting(node, str(workers.broker.user_setting), workers, target)
        if isinstance(found, Outcome):
            return found
        user = found
    definitions = target.memo(("definitions",), lambda: _definitions(workers, target))
    if isinstance(definitions, Outcome):
        return definitions
    stored = stored_users(definitions).get(user)
    if stored is None:
        return Outcome.failed(
            f"{node}: broker user {user!r} does not exist",
            f"create user {user!r} on the broker with the token as its password, or point the "
            "worker at an existing user",
        )
    match = is_password(stored, token)
    if match:
        return Outcome.passed(
            f"{node}: {workers.token} is the password of broker user {user!r} "
            "(checked against the broker's stored hash; neither is shown)"
        )
    why = "is not" if match is False else "cannot be checked against (unknown hash) "
    return Outcome.failed(
        f"{node}: {workers.token} {why} the password of broker user {user!r}",
        f"set {workers.token} on {node} to the broker password of {user!r} (or change the "
        f"broker's password: rabbitmqctl change_password {user} ...), then restart the worker",
    )


def plan_workers(profile: Profile, spec: StackSpec) -> list[Check]:
    """Four checks per worker node when the profile describes workers."""
    w = profile.workers
    if w is None:
        return []
    items = (
        ("build-endpoint", f"{w.build_endpoint} is set", build_endpoint_set),
        ("platform-host", f"{w.platform_host} is set and resolves", platform_host_set),
        ("pool-size", f"{w.pool_size} <= CPUs", pool_fits),
        ("token", f"{w.token} is the broker's password", token_is_broker_password),
    )
    return [
        Check("workers", w.role, node, name, f"{node}: {title}", partial(fn, node, w))
        for node in select(w.role, spec)
        for name, title, fn in items
    ]
