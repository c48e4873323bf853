"""Connecting to the Docker engine, with one-line errors when it is not there.

The only place that talks to the engine before anything else: the backend, image builds,
doctor, faults and the reaper all connect through here.
"""

from __future__ import annotations

import os

import docker
from docker.errors import DockerException
from docker.utils import kwargs_from_env

from hachaos.errors import DockerUnavailable

DEFAULT_HOST = "unix:///var/run/docker.sock"
# connections kept for reuse: a boot and a teardown call the engine from a thread per node
# (and a booting node with a log check holds one for its followed output)
POOL_SIZE = 64


def docker_host() -> str:
    """The engine address in use: $DOCKER_HOST, else the default unix socket."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def _unavailable(exc: BaseException) -> DockerUnavailable:
    first = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
    return DockerUnavailable(
        f"cannot reach the Docker engine at {docker_host()} ({first}); "
        "start dockerd or set DOCKER_HOST, or run: hachaos doctor --fix"
    )


def connect(timeout_s: float = 120.0) -> docker.APIClient:
    """A low-level client whose engine answered a ping; DockerUnavailable otherwise."""
    try:
        api = docker.APIClient(
            version="auto", timeout=int(timeout_s), max_pool_size=POOL_SIZE, **kwargs_from_env()
        )
        api.ping()
    except (DockerException, OSError) as exc:
        raise _unavailable(exc) from None
    return api


def engine_version(timeout_s: int = 5) -> tuple[str | None, str]:
    """The engine's version at DOCKER_HOST, or None and what was observed instead (never raises:
    for `hachaos doctor`, which reports rather than fails)."""
    try:
        api = docker.APIClient(version="auto", timeout=timeout_s, **kwargs_from_env())
        return str(api.version()["Version"]), ""
    except Exception as exc:  # any failure is "no engine": the message is the observation
        return None, (str(exc).splitlines() or [type(exc).__name__])[0][:160]
