"""Finding and loading profile files: `fixtures/profiles/NAME.yaml`, bounded and validated like
stack files, every problem as `file:line`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from hachaos.conformance.profile import Profile
from hachaos.errors import ConfigError, Problem
from hachaos.spec.loader import load_model
from hachaos.spec.models import is_name

PROFILES_SUBDIR = Path("fixtures") / "profiles"


def load_profile(path: Path) -> Profile:
    """The profile in `path`; ConfigError with every problem otherwise."""
    return load_model(path, Profile)


def profile_dirs(start: Path, extra: Iterable[Path] = ()) -> list[Path]:
    """Where profiles are looked up: explicit dirs, then `fixtures/profiles` above `start`."""
    dirs = [Path(d) for d in extra]
    for parent in [start, *start.parents]:
        candidate = parent / PROFILES_SUBDIR
        if candidate.is_dir():
            dirs.append(candidate)
            break
    return dirs


def find_profile(name_or_path: str, dirs: Sequence[Path]) -> Path:
    """A profile given by file path or by name (a DNS label looked up in `dirs`)."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate
    if is_name(name_or_path):
        for d in dirs:
            for suffix in (".yaml", ".yml"):
                if (d / f"{name_or_path}{suffix}").is_file():
                    return d / f"{name_or_path}{suffix}"
    where = ", ".join(map(str, dirs)) or "no fixtures/profiles directory here"
    raise ConfigError(
        [Problem("<command line>", 1, f"unknown profile {name_or_path!r} (looked in {where})")]
    )


def is_profile_file(path: Path) -> bool:
    """A YAML file inside a `profiles` directory."""
    return path.suffix in (".yaml", ".yml") and "profiles" in path.parent.parts
