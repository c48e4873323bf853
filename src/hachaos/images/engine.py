"""The engine connection image builds use: the same one as the backend's."""

from __future__ import annotations

from hachaos.backends.docker.engine import DEFAULT_HOST, connect, docker_host

__all__ = ["DEFAULT_HOST", "connect", "docker_host"]
