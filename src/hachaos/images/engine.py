"""Connecting to the Docker engine through the SDK's low-level API."""

from __future__ import annotations

import os

import docker
from docker.errors import DockerException
from docker.utils import kwargs_from_env

from hachaos.errors import DockerUnavailable

DEFAULT_HOST = "unix:///var/run/docker.sock"


def docker_host() -> str:
    """The engine address in use: $DOCKER_HOST, else the default unix socket."""
    return os.environ.get("DOCKER_HOST") or DEFAULT_HOST


def connect(timeout_s: float = 120.0) -> docker.APIClient:
    """A low-level client that has answered a ping; DockerUnavailable with a hint otherwise."""
    try:
        kwargs = kwargs_from_env()
        api = docker.APIClient(version="auto", timeout=int(timeout_s), **kwargs)
        api.ping()
    except DockerException as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DockerUnavailable(
            f"no Docker engine answers at {docker_host()} ({first}); "
            "start dockerd or set DOCKER_HOST (see: hachaos doctor --fix)"
        ) from exc
    return api
