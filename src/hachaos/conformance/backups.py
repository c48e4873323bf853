"""Backups: the newest archive of each backup entry exists off the node it protects, is young
enough, and restores: a real `tar -x` into a scratch directory on the machine that keeps it
(removed afterwards), whose files are then compared with the live ones (`checksum`) or found
present and not empty (`present`). Only names and counts are reported, never file contents."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from functools import partial

from hachaos.conformance.check import Check, cannot_run
from hachaos.conformance.fields import select
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.profile import Backup, Profile
from hachaos.conformance.shell import Remote
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec

LIST_SCRIPT = (
    'for p in "$@"; do rel=${p#/}; if [ -e "$ROOT/$rel" ]; then echo "## $p"; '
    '(cd "$ROOT" && find "$rel" -type f -exec sha256sum {} + | sort -k 2); '
    'else echo "## $p missing"; fi; done'
)
_EXTRACT_AND_LIST = (
    "ROOT=$1; newest=$2; shift 2; "
    'err=$(tar -xf "$newest" -C "$ROOT" 2>&1) || { echo "tar -x: $err" >&2; exit 4; }; '
    + LIST_SCRIPT
)
# $1 archive pattern, $2 seconds the extraction and listing may take, then the paths. They run
# under their own `timeout` (SIGTERM), shorter than the command's, so that this shell outlives
# them and its trap removes the restored files (keys among them) from the store machine; the
# command's own deadline kills this shell's whole process group, trap included.
RESTORE_SCRIPT = (
    'newest=""; for f in $1; do [ -f "$f" ] || continue; '
    'if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then newest=$f; fi; done; '
    '[ -n "$newest" ] || { echo "no archive matches $1" >&2; exit 3; }; '
    'echo "archive $newest $(stat -c "%s %Y" "$newest") $(date +%s)"; '
    'ROOT=$(mktemp -d "${TMPDIR:-/tmp}/hachaos-restore.XXXXXX") || exit 5; '
    "trap 'rm -rf \"$ROOT\"' EXIT; trap 'exit 130' HUP INT TERM; "
    "deadline=$2; shift 2; "
    f'timeout -k 1 "$deadline" sh -c {shlex.quote(_EXTRACT_AND_LIST)} restore '
    '"$ROOT" "$newest" "$@"; '
    'rc=$?; [ $rc -ne 124 ] || echo "the restore did not finish within ${deadline}s" >&2; '
    "exit $rc"
)
RESTORE_TIMED_OUT = 124  # the inner `timeout` fired (SIGTERM, then SIGKILL 1 s later)
LIVE_SCRIPT = "ROOT=/; " + LIST_SCRIPT


@dataclass(frozen=True)
class Archive:
    """The archive found: its path, size, age, and per expected path its files' checksums
    (None: the path is not in it)."""

    path: str
    size: int
    age_s: int
    files: dict[str, dict[str, str] | None]


def parse_listing(lines: list[str]) -> dict[str, dict[str, str] | None]:
    """`## PATH` / `## PATH missing` headers, each followed by `sha256  relpath` lines."""
    out: dict[str, dict[str, str] | None] = {}
    current: dict[str, str] | None = None
    for line in lines:
        if line.startswith("## "):
            head = line[3:]
            missing = head.endswith(" missing")
            current = None if missing else {}
            out[head.removesuffix(" missing")] = current
        elif current is not None and "  " in line:
            digest, _, rel = line.partition("  ")
            current[rel] = digest
    return out


def parse_restore(text: str) -> Archive | None:
    """The restore script's output -> Archive; None when there is no `archive` line."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("archive "):
        return None
    parts = lines[0].split()
    try:
        path, size, mtime, now = parts[1], int(parts[2]), int(parts[3]), int(parts[4])
    except (IndexError, ValueError):
        return None
    return Archive(path, size, max(0, now - mtime), parse_listing(lines[1:]))


def _store(node: str, backup: Backup, target: Target) -> tuple[Remote, str] | Outcome:
    """The machine that keeps `node`'s backup, and how it is named; an outcome when the
    backup would be on the node itself."""
    store = backup.store
    try:
        if store.node is not None:
            if store.node not in target.stack.nodes:
                return Outcome.failed(
                    f"backup store node {store.node} is not a node of this stack",
                    "name a node of the stack, or a host by connection string (store.host)",
                )
            where, remote = store.node, target.shell(store.node)
        else:
            assert store.host is not None
            where, remote = store.host, target.remote(store.host)
        same = store.node == node or store.host == target.connection_of(node)
    except NoConnection as exc:
        return Outcome.failed(str(exc), "give the node a testinfra connection")
    if same:
        return Outcome.failed(
            f"the {backup.name} backup of {node} is kept on {node} itself",
            "keep backups on another machine (a backup host or object storage): one lost "
            "machine must not take the data and its backup",
        )
    return remote, where


def _compare(node: str, backup: Backup, archive: Archive, target: Target) -> list[str]:
    """What is wrong with the restored files (names only)."""
    wrong = [f"{p} is not in the archive" for p, f in archive.files.items() if f is None]
    wrong += [f"{p} restored empty" for p, f in archive.files.items() if f == {}]
    if backup.verify == "present" or wrong:
        return wrong
    ran = target.shell(node).run(["sh", "-c", LIVE_SCRIPT, "live", *backup.paths], timeout_s=60)
    if not ran.ok:
        return [f"live files unreadable on {node} ({ran.why()})"]
    live = parse_listing(ran.stdout.splitlines())
    for path in backup.paths:
        restored, current = archive.files.get(path) or {}, live.get(path)
        if current is None:
            wrong.append(f"{path} does not exist on {node}")
            continue
        differ = [rel for rel, digest in current.items() if restored.get(rel) != digest]
        if differ:
            wrong.append(f"{len(differ)} restored file(s) differ from {node}'s: /{differ[0]}")
    return wrong


def restore_deadline_s(timeout_s: float) -> float:
    """What extracting and listing may take of a restore's `timeout_s`: the rest (a fifth, at
    least 2 s) is for removing what was restored."""
    return round(max(1.0, timeout_s - max(2.0, timeout_s / 5)), 1)


def restores(node: str, backup: Backup, target: Target) -> Outcome:
    """The newest archive for `node` exists off the node, is young enough and restores."""
    found = _store(node, backup, target)
    if isinstance(found, Outcome):
        return found
    remote, where = found
    pattern = backup.store.path.replace("{node}", node)
    inner = f"{restore_deadline_s(backup.timeout_s):g}"
    argv = ["sh", "-c", RESTORE_SCRIPT, "restore", pattern, inner, *backup.paths]
    ran = remote.run(argv, timeout_s=backup.timeout_s)
    archive = parse_restore(ran.stdout)
    if ran.rc == 3:
        return Outcome.failed(
            f"no {backup.name} backup of {node} at {where}:{pattern}",
            f"back up {', '.join(backup.paths)} of {node} to {where}:{pattern} (e.g. "
            f"tar -czf ARCHIVE {' '.join(backup.paths)}, copied off the node) on a schedule",
        )
    if archive is None or not ran.ok:
        return cannot_run(where, f"restore {pattern}", ran)
    wrong = _compare(node, backup, archive, target)
    if backup.max_age_h is not None and archive.age_s > backup.max_age_h * 3600:
        wrong.append(
            f"the newest archive is {archive.age_s / 3600:.1f} h old (> {backup.max_age_h:g} h)"
        )
    seen = f"{where}:{archive.path} ({archive.size} B, {archive.age_s} s old)"
    if not wrong:
        return Outcome.passed(
            f"{node}: {seen} restores {', '.join(backup.paths)} ({backup.verify})"
        )
    return Outcome.failed(
        f"{node}: {seen}: {'; '.join(wrong)}",
        f"take a new backup of {', '.join(backup.paths)} on {node} and check it restores "
        "(tar -tf lists every path)",
    )


def plan_backups(profile: Profile, spec: StackSpec) -> list[Check]:
    """One restore check per backup entry and node of its role."""
    return [
        Check(
            "backups",
            b.role,
            node,
            b.name,
            f"{node}: {b.name} backup off the node restores ({b.verify})",
            partial(restores, node, b),
        )
        for b in profile.backups
        for node in select(b.role, spec)
    ]
