"""Shared fixtures for integration tests: a Docker engine and built images are required."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import repo_stack

from hachaos.backends.docker.backend import DockerBackend
from hachaos.errors import DockerUnavailable
from hachaos.running import RunningStack

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def docker_backend() -> DockerBackend:
    """A connected backend; skipped without an engine (a failure under CI)."""
    backend = DockerBackend()
    try:
        _ = backend.api
    except DockerUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    return backend


@pytest.fixture(scope="module")
def redis_stack(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    """The Redis Sentinel stack, booted once per module."""
    with repo_stack(docker_backend, "redis-sentinel") as stack:
        yield stack
