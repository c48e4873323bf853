"""Facts about the machine and the checkout a run used (bounded, never failing)."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata
from pathlib import Path

from hachaos.certification.record import HostFacts


def hachaos_version() -> str:
    """The installed hachaos version."""
    try:
        return metadata.version("hachaos")
    except metadata.PackageNotFoundError:
        return "unknown"


def git_sha(cwd: Path | None = None) -> str | None:
    """The checkout's commit (with `+dirty` when it has local changes), or None."""
    try:
        sha = _git(["rev-parse", "HEAD"], cwd)
        dirty = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    except (OSError, subprocess.SubprocessError):
        return None
    if not sha:
        return None
    return sha + ("+dirty" if dirty else "")


def _git(args: list[str], cwd: Path | None) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=True
    )
    return done.stdout.strip()


def os_name() -> str:
    """PRETTY_NAME from os-release, or the platform string."""
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def host_facts(engine: str | None) -> HostFacts:
    """Kernel, OS, Python and the container engine's version."""
    return HostFacts(
        kernel=platform.release(), os=os_name(), python=platform.python_version(), engine=engine
    )
