"""The reaper process: started with a run, independent of the runner, cleans up if it dies.

The runner keeps the write end of the reaper's stdin. `stand_down()` sends `stand-down` (the
runner reverted and tore down itself); the runner's death is seen through a pidfd, with no
polling. Like testcontainers' Ryuk, but it also reverts faults (rules, toxics, pauses).
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from hachaos.backends import DEFAULT_BACKEND
from hachaos.reaper.journal import Journal, journal_path

STAND_DOWN = b"stand-down\n"


@dataclass
class ReaperHandle:
    """The runner's side of a reaper process."""

    run_id: str
    journal: Journal
    proc: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        """The reaper's pid."""
        return self.proc.pid

    def alive(self) -> bool:
        """Whether the reaper still runs."""
        return self.proc.poll() is None

    def stand_down(self, timeout_s: float = 10.0) -> int | None:
        """Tell the reaper the run ended cleanly; it reverts anything still journalled (no
        teardown), removes the run's journal and exits. Returns its exit code."""
        if self.alive() and self.proc.stdin is not None:
            try:
                self.proc.stdin.write(STAND_DOWN)
                self.proc.stdin.close()
            except (BrokenPipeError, ValueError):
                pass
        try:
            return self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            return None


def start_reaper(
    run_id: str,
    journal_file: Path | None = None,
    *,
    teardown: bool = True,
    watch_pid: int | None = None,
    backend: str = DEFAULT_BACKEND,
) -> ReaperHandle:
    """Start a reaper for `run_id` (a stack on `backend`) watching this process (or
    `watch_pid`); call it BEFORE the stack is created so a crash during boot is cleaned up."""
    journal = Journal(journal_file or journal_path(run_id), run_id)
    journal.mark_run(backend)
    cmd = [sys.executable, "-m", "hachaos.reaper", "--run", run_id, "--journal", str(journal.path)]
    cmd += ["--watch-pid", str(watch_pid or os.getpid())]
    if not teardown:
        cmd.append("--no-teardown")
    log = (journal.path.parent / "reaper.log").open("ab")
    try:
        proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        log.close()
    return ReaperHandle(run_id, journal, proc)


def wait_for_runner(pid: int, channel: IO[bytes]) -> str:
    """Block until the runner dies (`died`) or says `stand-down` on `channel` (`stand-down`)."""
    try:
        pidfd = os.pidfd_open(pid)
    except ProcessLookupError:
        return "died"
    watched: list[int] = [pidfd, channel.fileno()]
    try:
        while True:
            ready, _, _ = select.select(watched, [], [])
            if channel.fileno() in ready:
                line = channel.readline()
                if line == STAND_DOWN:
                    return "stand-down"
                if not line:  # pipe closed without a word: keep watching the process
                    watched.remove(channel.fileno())
            if pidfd in ready:
                return "died"
    finally:
        os.close(pidfd)


def forget_run(journal: Journal) -> None:
    """Remove a cleanly finished run's journal directory."""
    shutil.rmtree(journal.path.parent, ignore_errors=True)
