"""Service images built from Debian packages, without a registry.

`hachaos images build` makes `hachaos/<name>:latest` from `fixtures/images/<name>/Dockerfile`
on an official or debootstrapped Debian base; every image carries a content-hash label so an
unchanged one is skipped. The rest of hachaos only calls `required_images` / `ensure_images`.
"""

from __future__ import annotations

from collections.abc import Iterable

import docker

from hachaos.errors import ImageMissing
from hachaos.images.base import BaseKind
from hachaos.images.build import BuildResult, build_images
from hachaos.images.catalog import PREFIX, namespace
from hachaos.images.engine import connect
from hachaos.images.status import ImageStatus, State, image_statuses

__all__ = [
    "BaseKind",
    "BuildResult",
    "ImageStatus",
    "State",
    "build_images",
    "ensure_images",
    "image_statuses",
    "required_images",
]


def _bare(name: str) -> str:
    """`redis`, `hachaos/redis` and `hachaos/redis:latest` all name the `redis` image."""
    name = name.removeprefix(f"{namespace()}/").removeprefix(PREFIX)
    return name.split(":", 1)[0]


def required_images(names: Iterable[str], api: docker.APIClient | None = None) -> list[ImageStatus]:
    """The images among `names` that are not built (stale ones count as built); empty if none."""
    api = api or connect()
    wanted = [_bare(n) for n in names]
    return [s for s in image_statuses(api, wanted) if s.name in wanted and not s.present]


def ensure_images(names: Iterable[str], api: docker.APIClient | None = None) -> None:
    """Raise ImageMissing naming the build command when any of `names` is not built."""
    missing = required_images(names, api)
    if missing:
        refs = ", ".join(s.ref for s in missing)
        what = " ".join(s.name for s in missing)
        verb = "is" if len(missing) == 1 else "are"
        raise ImageMissing(f"image {refs} {verb} not built; run: hachaos images build {what}")
