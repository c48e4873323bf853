"""Connecting to the Docker engine, with one-line errors when it is not there."""

from __future__ import annotations

import os

import docker
from docker.errors import DockerException

from hachaos.errors import DockerUnavailable, ImageMissing


def connect(timeout_s: float = 60.0) -> docker.DockerClient:
    """A client whose engine answered a ping; DockerUnavailable otherwise."""
    where = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    try:
        client = docker.from_env(timeout=int(timeout_s))
        client.ping()
    except (DockerException, OSError) as exc:
        reason = str(exc).splitlines()[0][:160]
        raise DockerUnavailable(
            f"cannot reach the Docker engine at {where} ({reason}); "
            "start dockerd, or run: hachaos doctor --fix"
        ) from None
    return client


def require_images(client: docker.DockerClient, images: set[str]) -> None:
    """Raise ImageMissing naming the first image that is not present locally."""
    for image in sorted(images):
        try:
            client.images.get(image)
        except docker.errors.ImageNotFound:
            short = image.split("/")[-1].split(":")[0]
            raise ImageMissing(
                f"image {image} is not built; run: hachaos images build {short}"
            ) from None
