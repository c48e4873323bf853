"""Building the catalog in dependency order, skipping images whose content hash is unchanged."""

from __future__ import annotations

import io
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import docker
from docker.errors import APIError

from hachaos.errors import InfraError
from hachaos.images.base import BaseImage, BaseKind, image_id, resolve_base
from hachaos.images.catalog import (
    BASE_LABEL,
    HASH_LABEL,
    LABEL,
    NAME_LABEL,
    ImageSpec,
    build_order,
    load_catalog,
    repo_of,
    short,
)
from hachaos.images.hashing import content_hash, context_tar

Say = Callable[[str], None]
BUILD_TIMEOUT_S = 1800


@dataclass(frozen=True)
class BuildResult:
    """What happened to one image: built or up to date, with its hash and elapsed time."""

    name: str
    ref: str
    content_hash: str
    built: bool
    seconds: float


@dataclass(frozen=True)
class _Plan:
    """One image to build: spec, its hash and the BASE build argument."""

    spec: ImageSpec
    content_hash: str
    base_ref: str


def image_hash(api: docker.APIClient, ref: str) -> str | None:
    """The content-hash label of a local image, or None when absent or unlabelled."""
    if image_id(api, ref) is None:
        return None
    labels = api.inspect_image(ref)["Config"].get("Labels") or {}
    return labels.get(HASH_LABEL)


def build_images(
    api: docker.APIClient,
    names: Iterable[str] = (),
    *,
    force: bool = False,
    base: BaseKind = BaseKind.AUTO,
    say: Say = print,
) -> list[BuildResult]:
    """Build `names` (default all) and their parents, in order; unchanged images are skipped."""
    order = build_order(load_catalog(), names)
    started = time.monotonic()
    root = resolve_base(api, base, say, previous=_previous_base(api, order))
    say(f"[base] {root.ref} ({root.image_id[7:19]}, {time.monotonic() - started:.1f}s)")
    hashes: dict[str, str] = {}
    results = []
    for spec in order:
        plan = _plan(spec, root, hashes)
        hashes[spec.name] = plan.content_hash
        results.append(_build_one(api, plan, force=force, say=say))
    return results


def _previous_base(api: docker.APIClient, order: list[ImageSpec]) -> str | None:
    """The base ref recorded on the first root image already built, if any."""
    for spec in order:
        if spec.parent is None and image_id(api, spec.latest):
            labels = api.inspect_image(spec.latest)["Config"].get("Labels") or {}
            return labels.get(BASE_LABEL)
    return None


def _plan(spec: ImageSpec, root: BaseImage, hashes: dict[str, str]) -> _Plan:
    if spec.parent is None:
        return _Plan(spec, content_hash(spec.context, root.image_id, "", spec.includes), root.ref)
    parent_hash = hashes[spec.parent]
    base_ref = f"{repo_of(spec.parent)}:{short(parent_hash)}"
    return _Plan(spec, content_hash(spec.context, "", parent_hash, spec.includes), base_ref)


def _build_one(api: docker.APIClient, plan: _Plan, *, force: bool, say: Say) -> BuildResult:
    spec, started = plan.spec, time.monotonic()
    tag = spec.tag_for(plan.content_hash)
    if not force and image_hash(api, tag) == plan.content_hash:
        if image_hash(api, spec.latest) != plan.content_hash:
            api.tag(tag, spec.repo, "latest")
        elapsed = time.monotonic() - started
        say(f"[{spec.name}] up to date ({tag}, {elapsed:.1f}s)")
        return BuildResult(spec.name, spec.latest, plan.content_hash, False, elapsed)
    say(f"[{spec.name}] building {tag} FROM {plan.base_ref}")
    _stream_build(api, plan, tag, force=force, say=say)
    api.tag(tag, spec.repo, "latest")
    elapsed = time.monotonic() - started
    say(f"[{spec.name}] built {spec.latest} in {elapsed:.1f}s")
    return BuildResult(spec.name, spec.latest, plan.content_hash, True, elapsed)


def _context_args(spec: ImageSpec) -> dict[str, Any]:
    """The context directory as is, or, with included directories, a tar of everything."""
    if not spec.includes:
        return {"path": str(spec.context)}
    return {"fileobj": io.BytesIO(context_tar(spec.context, spec.includes)), "custom_context": True}


def _stream_build(api: docker.APIClient, plan: _Plan, tag: str, *, force: bool, say: Say) -> None:
    """Run one `docker build`, echoing its step lines; raise with the output tail on failure."""
    labels = {
        LABEL: "1",
        HASH_LABEL: plan.content_hash,
        NAME_LABEL: plan.spec.name,
        BASE_LABEL: plan.base_ref,
    }
    tail: deque[str] = deque(maxlen=12)
    name = plan.spec.name
    try:
        events = api.build(
            **_context_args(plan.spec),
            tag=tag,
            buildargs={"BASE": plan.base_ref},
            labels=labels,
            nocache=force,
            rm=True,
            forcerm=True,
            pull=False,
            decode=True,
            timeout=BUILD_TIMEOUT_S,
        )
        for event in events:
            if "error" in event:
                raise InfraError(
                    f"building {plan.spec.repo} failed: {str(event['error']).strip()} "
                    f"(last output: {' | '.join(tail)[-300:]})"
                )
            for line in str(event.get("stream", "")).splitlines():
                if line.strip():
                    tail.append(line.strip())
                if line.startswith("Step "):
                    say(f"[{name}] {line}")
    except APIError as exc:
        raise InfraError(f"building {plan.spec.repo} failed: {exc.explanation or exc}") from exc
