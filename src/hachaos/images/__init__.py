"""Service images built from Debian packages, without a registry.

`hachaos images build` makes `hachaos/<name>:latest` from `fixtures/images/<name>/Dockerfile`
on an official or debootstrapped Debian base; every image carries a content-hash label so an
unchanged one is skipped. Whether a stack's images are present is the backend's check
(`hachaos.backends.docker.images`), which covers images from anywhere, not only these.
"""

from __future__ import annotations

from hachaos.images.base import BaseKind
from hachaos.images.build import BuildResult, build_images
from hachaos.images.status import ImageStatus, State, image_statuses

__all__ = [
    "BaseKind",
    "BuildResult",
    "ImageStatus",
    "State",
    "build_images",
    "image_statuses",
]
