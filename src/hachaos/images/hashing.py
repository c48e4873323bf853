"""Content hashes: what an image is built from, so an unchanged image is never rebuilt."""

from __future__ import annotations

import hashlib
from pathlib import Path

SCHEME = b"hachaos-image-v1"


def context_files(context: Path) -> list[Path]:
    """Every file of a build context, in a stable order (caches and VCS droppings excluded)."""
    skip = {"__pycache__", ".git"}
    files = [p for p in context.rglob("*") if p.is_file() and not skip & set(p.parts)]
    return sorted(files, key=lambda p: p.relative_to(context).as_posix())


def content_hash(
    context: Path, base_id: str, parent_hash: str = "", extra: tuple[Path, ...] = ()
) -> str:
    """sha256 of the Dockerfile + build context + base image id + the parent image's hash
    (+ `extra` files from outside the context, such as a Dockerfile kept elsewhere).

    A file's executable bit counts (COPY keeps it); timestamps do not.
    """
    digest = hashlib.sha256(SCHEME + b"\0")
    files = [(p.relative_to(context).as_posix(), p) for p in context_files(context)]
    files += [(f"<extra>/{p.name}", p) for p in extra]
    for rel, path in files:
        mode = b"x" if path.stat().st_mode & 0o111 else b"-"
        digest.update(rel.encode() + b"\0" + mode + hashlib.sha256(path.read_bytes()).digest())
    digest.update(b"\0base\0" + base_id.encode())
    digest.update(b"\0parent\0" + parent_hash.encode())
    return digest.hexdigest()
