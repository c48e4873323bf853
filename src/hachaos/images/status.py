"""Which catalog images are built and whether they match their Dockerfiles (no pulls)."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

import docker

from hachaos.images.base import image_id
from hachaos.images.build import image_hash
from hachaos.images.catalog import BASE_LABEL, ImageSpec, build_order, load_catalog
from hachaos.images.hashing import content_hash


class State(enum.StrEnum):
    """An image's state on the engine."""

    UP_TO_DATE = "up to date"
    STALE = "stale"
    MISSING = "missing"


@dataclass(frozen=True)
class ImageStatus:
    """One image's state; `hint` says what to run when it is not up to date."""

    name: str
    ref: str
    state: State

    @property
    def present(self) -> bool:
        """True when `ref` exists on the engine (even if stale)."""
        return self.state is not State.MISSING

    @property
    def hint(self) -> str:
        """The command that fixes this image."""
        return f"hachaos images build {self.name}"


def image_statuses(api: docker.APIClient, names: Iterable[str] = ()) -> list[ImageStatus]:
    """The state of `names` (default all) and their parents, parents first."""
    expected: dict[str, str | None] = {}
    out = []
    for spec in build_order(load_catalog(), names):
        want = _expected_hash(api, spec, expected)
        have = image_hash(api, spec.latest)
        expected[spec.name] = want
        if image_id(api, spec.latest) is None:
            state = State.MISSING
        elif want is not None and have == want:
            state = State.UP_TO_DATE
        else:
            state = State.STALE
        out.append(ImageStatus(spec.name, spec.latest, state))
    return out


def _expected_hash(
    api: docker.APIClient, spec: ImageSpec, expected: dict[str, str | None]
) -> str | None:
    if spec.parent is not None:
        parent = expected.get(spec.parent)
        return content_hash(spec.context, "", parent, spec.includes) if parent else None
    if image_id(api, spec.latest) is None:
        return None
    labels = api.inspect_image(spec.latest)["Config"].get("Labels") or {}
    base_id = image_id(api, labels.get(BASE_LABEL, "")) if labels.get(BASE_LABEL) else None
    return content_hash(spec.context, base_id, "", spec.includes) if base_id else None
