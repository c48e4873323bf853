"""The fault journal: JSON lines, appended BEFORE a fault is applied and after it is undone.

One file per run (`<runs dir>/<run_id>/journal.jsonl`). Every line carries the writer's pid,
host and process start time, so a sweeper can tell a live runner from a dead one.
"""

from __future__ import annotations

import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from hachaos.reaper.undo import Undo, undo_from_json, undo_to_json

RUNS_DIR_ENV = "HACHAOS_RUNS_DIR"


def runs_dir() -> Path:
    """Where journals live: $HACHAOS_RUNS_DIR, else $XDG_RUNTIME_DIR/hachaos-runs, else /tmp."""
    if os.environ.get(RUNS_DIR_ENV):
        return Path(os.environ[RUNS_DIR_ENV])
    if os.environ.get("XDG_RUNTIME_DIR"):
        return Path(os.environ["XDG_RUNTIME_DIR"]) / "hachaos-runs"
    return Path(tempfile.gettempdir()) / f"hachaos-{os.getuid()}" / "runs"


def journal_path(run_id: str, root: Path | None = None) -> Path:
    """The journal file of `run_id`."""
    return (root or runs_dir()) / run_id / "journal.jsonl"


def proc_start_ticks(pid: int) -> int | None:
    """When `pid` started (clock ticks since boot), to tell a reused pid apart; None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])


@dataclass(frozen=True)
class Writer:
    """The process that wrote an entry."""

    pid: int
    host: str
    start_ticks: int | None

    @classmethod
    def me(cls) -> Writer:
        """This process."""
        return cls(os.getpid(), socket.gethostname(), proc_start_ticks(os.getpid()))

    def alive(self) -> bool | None:
        """True/False on this host; None when it ran on another host (cannot tell)."""
        if self.host != socket.gethostname():
            return None
        ticks = proc_start_ticks(self.pid)
        return ticks is not None and (self.start_ticks is None or ticks == self.start_ticks)


class EntryKind(StrEnum):
    """Journal line kinds."""

    RUN = "run"  # a runner (and its reaper) started for this run, on `backend`
    BEGIN = "begin"  # a fault is about to be applied; `undo` says how to revert it
    UNDONE = "undone"  # the fault was reverted
    REAPED = "reaped"  # a reaper (or `hachaos reap`) cleaned the run up


@dataclass(frozen=True)
class Entry:
    """One journal line."""

    kind: EntryKind
    run_id: str
    writer: Writer
    at: float
    fault_id: str = ""
    target: str = ""
    undo: Undo | None = None
    backend: str = ""  # RUN entries: the backend the run's stack is on (its teardown)

    def to_json(self) -> str:
        """The JSON line (no newline)."""
        data: dict[str, Any] = {
            "kind": self.kind.value,
            "run_id": self.run_id,
            "pid": self.writer.pid,
            "host": self.writer.host,
            "start_ticks": self.writer.start_ticks,
            "at": self.at,
        }
        if self.fault_id:
            data.update(fault_id=self.fault_id, target=self.target)
        if self.backend:
            data["backend"] = self.backend
        if self.undo is not None:
            data["undo"] = undo_to_json(self.undo)
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, line: str) -> Entry:
        """Parse one line; ValueError/KeyError for a damaged one."""
        d = json.loads(line)
        return cls(
            kind=EntryKind(d["kind"]),
            run_id=str(d["run_id"]),
            writer=Writer(int(d["pid"]), str(d["host"]), d.get("start_ticks")),
            at=float(d["at"]),
            fault_id=str(d.get("fault_id", "")),
            target=str(d.get("target", "")),
            undo=undo_from_json(d["undo"]) if d.get("undo") else None,
            backend=str(d.get("backend", "")),
        )


class Journal:
    """Append-only journal of one run; each append is one `write` on an O_APPEND file."""

    def __init__(self, path: Path, run_id: str) -> None:
        self.path = path
        self.run_id = run_id

    @classmethod
    def for_run(cls, run_id: str, root: Path | None = None) -> Journal:
        """The journal of `run_id` under `root` (default: `runs_dir()`)."""
        return cls(journal_path(run_id, root), run_id)

    def _append(self, entry: Entry) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (entry.to_json() + "\n").encode())
        finally:
            os.close(fd)

    def _entry(self, kind: EntryKind, **kw: Any) -> Entry:
        return Entry(kind, self.run_id, Writer.me(), time.time(), **kw)

    def mark_run(self, backend: str = "") -> None:
        """Record that this process runs the run on `backend` (its pid tells the sweeper if it
        died; the backend name tells the reaper how to tear the run down)."""
        self._append(self._entry(EntryKind.RUN, backend=backend))

    def begin(self, fault_id: str, target: str, undo: Undo) -> None:
        """Record how to undo a fault; call BEFORE applying it."""
        self._append(self._entry(EntryKind.BEGIN, fault_id=fault_id, target=target, undo=undo))

    def undone(self, fault_id: str) -> None:
        """Record that a fault was reverted."""
        self._append(self._entry(EntryKind.UNDONE, fault_id=fault_id))

    def reaped(self) -> None:
        """Record that the run was cleaned up."""
        self._append(self._entry(EntryKind.REAPED))

    def entries(self) -> list[Entry]:
        """Every readable entry (a torn last line is skipped)."""
        try:
            lines = self.path.read_text().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(Entry.from_json(line))
            except (ValueError, KeyError, TypeError):
                continue
        return out

    def pending(self) -> list[Entry]:
        """Faults begun and not undone, most recent first (the order to revert them)."""
        return pending_of(self.entries())

    def backend(self) -> str | None:
        """The backend the last runner of this run named, if any."""
        named = [e.backend for e in self.entries() if e.kind is EntryKind.RUN and e.backend]
        return named[-1] if named else None

    def last_writer(self) -> Writer | None:
        """The runner that wrote last (reaper entries excluded)."""
        runs = [e for e in self.entries() if e.kind is not EntryKind.REAPED]
        return runs[-1].writer if runs else None


def pending_of(entries: list[Entry]) -> list[Entry]:
    """Begun-but-not-undone entries of `entries`, most recent first."""
    undone = {e.fault_id for e in entries if e.kind is EntryKind.UNDONE}
    begun = [e for e in entries if e.kind is EntryKind.BEGIN and e.fault_id not in undone]
    return list(reversed(begun))
