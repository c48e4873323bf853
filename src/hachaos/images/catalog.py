"""The image catalog: one `fixtures/images/<name>/Dockerfile` per image, ordered by parentage."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from hachaos.errors import InfraError

PREFIX = "hachaos/"
LABEL = "io.hachaos"
HASH_LABEL = "io.hachaos.content-hash"
BASE_LABEL = "io.hachaos.base"
NAME_LABEL = "io.hachaos.image"
ENV_DIR = "HACHAOS_IMAGES_DIR"
ENV_NAMESPACE = "HACHAOS_IMAGE_NAMESPACE"

_BASE_ARG = re.compile(r"^\s*ARG\s+BASE\s*=\s*(\S+)\s*$", re.MULTILINE | re.IGNORECASE)
_INCLUDE = re.compile(r"^#\s*hachaos-include:\s*(\S+)\s*$", re.MULTILINE)
_INCLUDE_PATH = re.compile(r"[a-z0-9][a-z0-9_-]*(?:/[a-z0-9][a-z0-9_-]*)*")


@dataclass(frozen=True)
class Include:
    """A directory of `fixtures/` added to an image's build context under the same relative
    path (`# hachaos-include: apps/appliance` -> `COPY apps/appliance/ ...`)."""

    source: Path
    arcname: str


@dataclass(frozen=True)
class ImageSpec:
    """One buildable image: its context directory, the catalog image it builds on (if any) and
    the directories it includes from `fixtures/`."""

    name: str
    context: Path
    parent: str | None
    includes: tuple[Include, ...] = ()

    @property
    def repo(self) -> str:
        """Repository name, e.g. `hachaos/redis`."""
        return repo_of(self.name)

    @property
    def latest(self) -> str:
        """The moving tag every consumer uses, e.g. `hachaos/redis:latest`."""
        return f"{self.repo}:latest"

    def tag_for(self, content_hash: str) -> str:
        """The immutable tag of one content hash."""
        return f"{self.repo}:{short(content_hash)}"


def namespace() -> str:
    """The repository namespace images are built under: `hachaos` unless overridden.

    $HACHAOS_IMAGE_NAMESPACE lets a benchmark build a cold, isolated copy of the catalog
    without touching the images other runs use.
    """
    return os.environ.get(ENV_NAMESPACE) or "hachaos"


def repo_of(name: str) -> str:
    """The repository of catalog image `name` (or of `debian-base`)."""
    return f"{namespace()}/{name}"


def short(content_hash: str) -> str:
    """The tag-sized prefix of a content hash."""
    return content_hash[:16]


def images_dir() -> Path:
    """Where the Dockerfiles live: $HACHAOS_IMAGES_DIR, the repo checkout, or ./fixtures/images."""
    env = os.environ.get(ENV_DIR)
    if env:
        return Path(env)
    checkout = Path(__file__).resolve().parents[3] / "fixtures" / "images"
    return checkout if checkout.is_dir() else Path.cwd() / "fixtures" / "images"


def parent_of(dockerfile_text: str) -> str | None:
    """The catalog parent named by `ARG BASE=hachaos/<name>:<tag>`, else None (a root image)."""
    match = _BASE_ARG.search(dockerfile_text)
    if not match or not match.group(1).startswith(PREFIX):
        return None
    return match.group(1)[len(PREFIX) :].split(":", 1)[0]


def includes_of(dockerfile: Path, fixtures_root: Path) -> tuple[Include, ...]:
    """The `# hachaos-include: DIR` lines of a Dockerfile: DIR relative to `fixtures_root`,
    lower-case path segments only (no '..', no absolute path), an existing directory."""
    text = dockerfile.read_text()
    found = []
    for match in _INCLUDE.finditer(text):
        rel = match.group(1).rstrip("/")
        line = text.count("\n", 0, match.start()) + 1
        source = fixtures_root / rel
        if _INCLUDE_PATH.fullmatch(rel) is None or not source.is_dir():
            raise InfraError(
                f"{dockerfile}:{line}: hachaos-include {match.group(1)!r} must name a directory "
                f"under {fixtures_root} (lower-case path segments, no '..')"
            )
        found.append(Include(source, rel))
    return tuple(found)


def load_catalog(root: Path | None = None) -> dict[str, ImageSpec]:
    """Every image under `root` (default `images_dir()`), by name."""
    root = root or images_dir()
    if not root.is_dir():
        raise InfraError(f"no image definitions at {root}; set {ENV_DIR} to fixtures/images")
    specs = {}
    for dockerfile in sorted(root.glob("*/Dockerfile")):
        name = dockerfile.parent.name
        parent = parent_of(dockerfile.read_text())
        includes = includes_of(dockerfile, root.parent)
        specs[name] = ImageSpec(name, dockerfile.parent, parent, includes)
    return specs


def build_order(catalog: Mapping[str, ImageSpec], names: Iterable[str] = ()) -> list[ImageSpec]:
    """`names` (default: all) plus their ancestors, parents always before children."""
    wanted = list(names) or sorted(catalog)
    unknown = [n for n in wanted if n not in catalog]
    if unknown:
        known = ", ".join(sorted(catalog))
        raise InfraError(f"unknown image {unknown[0]!r}; known images: {known}")
    ordered: list[ImageSpec] = []
    for name in wanted:
        _visit(catalog, name, ordered, ())
    return ordered


def _visit(
    catalog: Mapping[str, ImageSpec], name: str, out: list[ImageSpec], path: tuple[str, ...]
) -> None:
    if name in path:
        raise InfraError(f"image parent cycle: {' -> '.join([*path, name])}; fix ARG BASE")
    spec = catalog.get(name)
    if spec is None:
        raise InfraError(f"image {path[-1]!r} builds on unknown {PREFIX}{name}; fix its ARG BASE")
    if spec in out:
        return
    if spec.parent:
        _visit(catalog, spec.parent, out, (*path, name))
    out.append(spec)
