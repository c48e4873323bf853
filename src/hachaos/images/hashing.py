"""Content hashes: what an image is built from, so an unchanged image is never rebuilt."""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Sequence
from pathlib import Path

from hachaos.images.catalog import Include

SCHEME = b"hachaos-image-v1"


def context_files(context: Path) -> list[Path]:
    """Every file of a build context, in a stable order (caches and VCS droppings excluded)."""
    skip = {"__pycache__", ".git"}
    files = [p for p in context.rglob("*") if p.is_file() and not skip & set(p.parts)]
    return sorted(files, key=lambda p: p.relative_to(context).as_posix())


def context_entries(context: Path, includes: Sequence[Include] = ()) -> list[tuple[str, Path]]:
    """(name in the build context, file) for the context directory's files and, under their
    own relative paths, every included directory's files."""
    entries = [(p.relative_to(context).as_posix(), p) for p in context_files(context)]
    for inc in includes:
        entries += [
            (f"{inc.arcname}/{p.relative_to(inc.source).as_posix()}", p)
            for p in context_files(inc.source)
        ]
    return entries


def context_tar(context: Path, includes: Sequence[Include] = ()) -> bytes:
    """The build context as an uncompressed tar (fixed mtimes: the bytes depend on content)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, path in context_entries(context, includes):
            info = tarfile.TarInfo(name)
            data = path.read_bytes()
            info.size = len(data)
            info.mode = 0o755 if path.stat().st_mode & 0o111 else 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def content_hash(
    context: Path, base_id: str, parent_hash: str = "", includes: Sequence[Include] = ()
) -> str:
    """sha256 of the Dockerfile + build context (with included directories) + base image id +
    the parent image's hash.

    A file's executable bit counts (COPY keeps it); timestamps do not.
    """
    digest = hashlib.sha256(SCHEME + b"\0")
    for rel, path in context_entries(context, includes):
        mode = b"x" if path.stat().st_mode & 0o111 else b"-"
        digest.update(rel.encode() + b"\0" + mode + hashlib.sha256(path.read_bytes()).digest())
    digest.update(b"\0base\0" + base_id.encode())
    digest.update(b"\0parent\0" + parent_hash.encode())
    return digest.hexdigest()
