"""Integration: a warm `images build` is a no-op, and the redis image runs (needs Docker)."""

from __future__ import annotations

import os
import time

import docker
import pytest

from hachaos.backends.docker.images import require_images
from hachaos.errors import DockerUnavailable
from hachaos.images import State, build_images, image_statuses
from hachaos.images.engine import connect

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api() -> docker.APIClient:
    try:
        return connect(timeout_s=1800)
    except DockerUnavailable as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def redis_built(api: docker.APIClient) -> None:
    build_images(api, ["redis"], say=lambda _: None)


def test_warm_build_is_skipped(api: docker.APIClient, redis_built: None) -> None:
    said: list[str] = []
    started = time.monotonic()
    results = build_images(api, ["redis"], say=said.append)
    assert [r.name for r in results] == ["tools", "redis"]
    assert not any(r.built for r in results), said
    assert all("up to date" in line for line in said if line.startswith(("[tools]", "[redis]")))
    assert time.monotonic() - started < 10


def test_status_and_presence_agree(api: docker.APIClient, redis_built: None) -> None:
    states = {s.name: s.state for s in image_statuses(api, ["redis"])}
    assert states == {"tools": State.UP_TO_DATE, "redis": State.UP_TO_DATE}
    require_images(api, {"hachaos/redis:latest"})


def test_redis_image_runs_redis_server(redis_built: None) -> None:
    client = docker.from_env()
    out = client.containers.run(
        "hachaos/redis:latest",
        ["redis-server", "--version"],
        remove=True,
        labels={"io.hachaos": "1"},
    )
    assert out.decode().startswith("Redis server v=7.")


def test_images_carry_labels(api: docker.APIClient, redis_built: None) -> None:
    labels = api.inspect_image("hachaos/redis:latest")["Config"]["Labels"]
    assert labels["io.hachaos"] == "1"
    assert len(labels["io.hachaos.content-hash"]) == 64
