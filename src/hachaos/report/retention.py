"""Retention of `reports/histories/` and `reports/bundles/`: what the last nights need stays.

A file stays when it was written after the kept nights began (`Keep.since`), or a kept record
names its run (the certification records of the kept nights) or its name (the conformance
summary's bundles); the rest goes, then, over the size cap, the oldest files nothing names.
Allure's attachments are copies (the report holds its own), so no report links here.

Only the two folders are touched, only files matching hachaos' own names (`HISTORY`,
`BUNDLE`: `plugin.items.history_path`, `report.bundle.bundle_path`, a `new_run_id` run id) and
only regular files: the folders are opened without following a symlink, entries are not
followed either, and each file is removed by name inside its opened folder.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hachaos.certification.record import Certification

_RUN = r"hc-[0-9a-f]{8}"
HISTORY = re.compile(rf"[a-z0-9][a-z0-9-]*-({_RUN})\.jsonl")
BUNDLE = re.compile(rf"[a-z0-9][a-z0-9._-]*-({_RUN})\.tar\.gz")
MIB = 1024 * 1024


@dataclass(frozen=True)
class Keep:
    """What stays: files modified after `since` (epoch seconds; None: every age), files of the
    runs `run_ids` and files named `names`; then, over `cap_bytes`, only these named ones."""

    since: float | None
    run_ids: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()
    cap_bytes: int | None = None

    def names_file(self, name: str, run_id: str) -> bool:
        """True when a kept record names this file or its run."""
        return run_id in self.run_ids or name in self.names


@dataclass(frozen=True)
class _File:
    folder: int  # index into the folders pruned
    name: str
    run_id: str
    size: int
    mtime: float


@dataclass
class Pruned:
    """What a prune removed and kept, per folder."""

    folders: list[Path]
    removed: list[int]
    freed: int = 0
    kept: int = 0
    kept_bytes: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self, why: str) -> str:
        """One line: removed per folder, freed, kept (and why), anything left alone."""
        kinds = (("history", "histories"), ("bundle", "bundles"))
        parts = [
            f"{n} {kinds[i][n != 1]} ({self.folders[i]})" for i, n in enumerate(self.removed) if n
        ]
        removed = "removed nothing"
        if parts:
            removed = f"removed {', '.join(parts)}, {self.freed / MIB:.1f} MiB freed"
        kept = f"kept {self.kept} files, {self.kept_bytes / MIB:.1f} MiB ({why})"
        return "; ".join([f"retention: {removed}", kept, *self.notes])


def run_ids(records: Iterable[Certification]) -> set[str]:
    """Every run the records name."""
    return {run.run_id for r in records for s in r.scenarios.values() for run in s.runs}


def conformance_bundles(summary: Path) -> set[str] | None:
    """The bundle file names the conformance summary names; None when it cannot be read (its
    bundles are then not known, so none may go)."""
    try:
        data = json.loads(summary.read_text())
    except FileNotFoundError:
        return set()
    except (OSError, ValueError):
        return None
    targets = data if isinstance(data, list) else []
    bundles = (t.get("bundle") for t in targets if isinstance(t, dict))
    return {
        Path(b["path"]).name
        for b in bundles
        if isinstance(b, dict) and isinstance(b.get("path"), str)
    }


def _open(folder: Path, notes: list[str]) -> int | None:
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(folder, flags)
    except FileNotFoundError:
        return None
    except OSError as exc:  # ELOOP: the folder is a symlink; ENOTDIR: a file
        why = "a symlink" if folder.is_symlink() else exc.strerror
        notes.append(f"{folder} left alone ({why})")
        return None


def _ours(fd: int, index: int, pattern: re.Pattern[str]) -> list[_File]:
    out = []
    with os.scandir(fd) as entries:
        for entry in entries:
            match = pattern.fullmatch(entry.name)
            try:
                st = entry.stat(follow_symlinks=False) if match else None
            except FileNotFoundError:
                continue  # gone meanwhile
            if match and st and stat.S_ISREG(st.st_mode):  # a symlink or folder: not ours
                out.append(_File(index, entry.name, match[1], st.st_size, st.st_mtime))
    return out


def _doomed(files: list[_File], keep: Keep) -> list[_File]:
    """The files older than `since` nothing names, then the oldest unnamed ones over the cap."""
    old = [
        f
        for f in files
        if keep.since is not None
        and f.mtime <= keep.since
        and not keep.names_file(f.name, f.run_id)
    ]
    gone = set(old)
    rest = sorted((f for f in files if f not in gone), key=lambda f: f.mtime)
    total = sum(f.size for f in rest)
    for f in rest:
        if keep.cap_bytes is None or total <= keep.cap_bytes:
            break
        if not keep.names_file(f.name, f.run_id):
            old.append(f)
            total -= f.size
    return old


def prune(folders: Sequence[tuple[Path, re.Pattern[str]]], keep: Keep) -> Pruned:
    """Remove from each folder the files of its pattern that `keep` does not keep."""
    done = Pruned([path for path, _ in folders], [0] * len(folders))
    fds: list[int | None] = []
    try:
        files: list[_File] = []
        for index, (path, pattern) in enumerate(folders):
            fds.append(_open(path, done.notes))
            fd = fds[-1]
            try:
                files += _ours(fd, index, pattern) if fd is not None else []
            except OSError as exc:
                done.notes.append(f"{path} left alone ({exc.strerror})")
        doomed = _doomed(files, keep)
        failed = 0
        for f in doomed:
            try:
                os.unlink(f.name, dir_fd=fds[f.folder])
            except FileNotFoundError:
                continue
            except OSError:
                failed += 1
                continue
            done.removed[f.folder] += 1
            done.freed += f.size
        done.kept = len(files) - sum(done.removed)
        done.kept_bytes = sum(f.size for f in files) - done.freed
        if failed:
            done.notes.append(f"{failed} could not be removed")
    finally:
        for fd in fds:
            if fd is not None:
                os.close(fd)
    return done
