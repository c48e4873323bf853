"""Checking that the images a stack runs are present before anything is created."""

from __future__ import annotations

import docker
from docker.errors import ImageNotFound

from hachaos.errors import ImageMissing


def require_images(api: docker.APIClient, images: set[str]) -> None:
    """Raise ImageMissing for the first absent image, with how to get it."""
    for image in sorted(images):
        try:
            api.inspect_image(image)
        except ImageNotFound:
            repo = image.rsplit(":", 1)[0]
            if repo.startswith("hachaos/"):
                hint = f"run: hachaos images build {repo.removeprefix('hachaos/')}"
            else:
                hint = "build or pull it on this engine"
            raise ImageMissing(f"image {image} is not present; {hint}") from None
