"""The Debian base every root image builds FROM: the official image, or a debootstrap import."""

from __future__ import annotations

import enum
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import docker
from docker.errors import DockerException, ImageNotFound
from docker.utils import kwargs_from_env

from hachaos.errors import InfraError
from hachaos.images.catalog import repo_of
from hachaos.images.sources import Mirror, machine_mirror

SUITE = "bookworm"
OFFICIAL = ("debian", "bookworm-slim")
PULL_TIMEOUT_S = 20
IMPORT_CHANGES = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LABEL io.hachaos=1",
    'CMD ["bash"]',
]

Say = Callable[[str], None]


class BaseKind(enum.StrEnum):
    """How to get the base: `auto` tries the official image once, then debootstraps."""

    AUTO = "auto"
    OFFICIAL = "official"
    DEBOOTSTRAP = "debootstrap"


@dataclass(frozen=True)
class BaseImage:
    """The resolved base: its reference (passed as the BASE build arg) and its image id."""

    ref: str
    image_id: str


def image_id(api: docker.APIClient, ref: str) -> str | None:
    """The id of a local image, or None when it is not present."""
    try:
        return str(api.inspect_image(ref)["Id"])
    except ImageNotFound:
        return None


def base_present(api: docker.APIClient) -> bool:
    """True when a base to build on (official or debootstrapped) is already local."""
    return any(image_id(api, ref) for ref in (":".join(OFFICIAL), imported_ref()))


def resolve_base(
    api: docker.APIClient, kind: BaseKind, say: Say = print, previous: str | None = None
) -> BaseImage:
    """The base image for `kind`, pulled or debootstrapped (once, cached) when not present.

    With `auto`, the base the existing images were built on (`previous`) wins while present,
    so pulling the official image later does not silently rebuild everything.
    """
    official, imported = ":".join(OFFICIAL), imported_ref()
    if kind is BaseKind.AUTO and previous in (official, imported):
        found = _present(api, previous)
        if found:
            return found
    if kind is BaseKind.OFFICIAL:
        found = _present(api, official) or _pull(api, say, required=True)
        if found is None:
            raise InfraError(f"pulled {official} but it is not listed; check: docker images")
        return found
    if kind is BaseKind.DEBOOTSTRAP:
        return _present(api, imported) or _debootstrap(api, say)
    found = _present(api, official) or _present(api, imported) or _pull(api, say, required=False)
    return found or _debootstrap(api, say)


def _present(api: docker.APIClient, ref: str) -> BaseImage | None:
    found = image_id(api, ref)
    return BaseImage(ref, found) if found else None


def _pull(api: docker.APIClient, say: Say, *, required: bool) -> BaseImage | None:
    """Try `docker pull debian:bookworm-slim` once with a short timeout."""
    ref = ":".join(OFFICIAL)
    say(f"[base] pulling {ref} (timeout {PULL_TIMEOUT_S}s)")
    try:
        quick = docker.APIClient(version="auto", timeout=PULL_TIMEOUT_S, **kwargs_from_env())
        for event in quick.pull(OFFICIAL[0], tag=OFFICIAL[1], stream=True, decode=True):
            if "error" in event:
                raise DockerException(str(event["error"]))
    except Exception as exc:  # any failure means "no registry": fall back
        text = str(getattr(exc, "explanation", None) or exc)
        first = (text.splitlines() or [type(exc).__name__])[0]
        if required:
            raise InfraError(
                f"cannot pull {ref} ({first}); use --base debootstrap or load it with docker load"
            ) from exc
        # the cause ("no such host", "timeout") is at the end of a long Docker message
        brief = first if len(first) <= 160 else "…" + first[-159:]
        say(f"[base] pull failed ({brief}); falling back to debootstrap")
        return None
    return _present(api, ref)


def imported_ref() -> str:
    """The debootstrapped base's reference, e.g. `hachaos/debian-base:bookworm`."""
    return f"{repo_of('debian-base')}:{SUITE}"


def cache_dir() -> Path:
    """Where the debootstrap tarball is kept between runs ($XDG_CACHE_HOME/hachaos)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "hachaos"


def _debootstrap(api: docker.APIClient, say: Say) -> BaseImage:
    """Import the cached minbase tarball, making it first with debootstrap when missing."""
    tarball = cache_dir() / f"debian-{SUITE}-minbase.tar"
    if not tarball.is_file():
        make_rootfs_tarball(tarball, machine_mirror(SUITE), say)
    say(f"[base] docker import {tarball} as {imported_ref()}")
    api.import_image_from_file(
        str(tarball), repository=repo_of("debian-base"), tag=SUITE, changes=IMPORT_CHANGES
    )
    found = _present(api, imported_ref())
    if not found:
        raise InfraError(f"docker import of {tarball} produced no image; remove it and retry")
    return found


def make_rootfs_tarball(tarball: Path, mirror: Mirror, say: Say) -> None:
    """`debootstrap --variant=minbase` from `mirror`, trimmed, tarred to `tarball` atomically."""
    if shutil.which("debootstrap") is None:
        raise InfraError(
            "debootstrap is not installed and no registry answered; run: hachaos doctor --fix "
            "(as root), or apt-get install -y debootstrap debian-archive-keyring gpgv"
        )
    if os.geteuid() != 0:
        raise InfraError("debootstrap needs root; run hachaos images build as root once")
    tarball.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="hachaos-rootfs-") as tmp:
        rootfs = Path(tmp) / "rootfs"
        say(f"[base] debootstrap --variant=minbase {SUITE} from {mirror.uri}")
        _run(["debootstrap", "--variant=minbase", SUITE, str(rootfs), mirror.uri])
        _trim(rootfs, mirror)
        partial = tarball.with_suffix(".partial")
        _run(["tar", "--numeric-owner", "-C", str(rootfs), "-cf", str(partial), "."])
        partial.replace(tarball)


TRIM = (
    "var/cache/apt/archives",
    "var/lib/apt/lists",
    "usr/share/doc",
    "usr/share/man",
    "usr/share/info",
    "usr/share/locale",
)
KEEP = {"lock", "partial", "auxfiles", "locale.alias"}


def _trim(rootfs: Path, mirror: Mirror) -> None:
    """Point apt at the mirror (with updates and security); drop packages, docs, translations.

    What is dropped matches what the official slim image leaves out.
    """
    (rootfs / "etc/apt/sources.list").write_text(mirror.sources_list(SUITE))
    for sub in TRIM:
        for path in (rootfs / sub).glob("*"):
            if path.name in KEEP:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()


def _run(argv: list[str]) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InfraError(f"{argv[0]} failed ({proc.returncode}): {tail[0]}")
