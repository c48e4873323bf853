"""A restore that runs out of time still removes what it restored from the store machine."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hachaos.conformance.backups import RESTORE_SCRIPT, RESTORE_TIMED_OUT, restore_deadline_s


def test_the_extraction_deadline_leaves_time_to_clean_up() -> None:
    assert restore_deadline_s(120) == 96
    assert restore_deadline_s(5) == 3
    assert restore_deadline_s(1) == 1


def test_a_restore_killed_at_its_deadline_removes_its_scratch(tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    (store / "app-1.tar.gz").write_bytes(b"not read: tar is replaced")
    shims = tmp_path / "bin"
    shims.mkdir()
    slow_tar = shims / "tar"  # writes a "key" into the scratch, then hangs past the deadline
    slow_tar.write_text(
        '#!/bin/sh\nwhile [ "$1" != -C ]; do shift; done\necho k > "$2/key"\nexec sleep 600\n'
    )
    slow_tar.chmod(0o755)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    env = {**os.environ, "PATH": f"{shims}:{os.environ['PATH']}", "TMPDIR": str(scratch)}
    done = subprocess.run(
        ["sh", "-c", RESTORE_SCRIPT, "restore", str(store / "*.tar.gz"), "1", "/etc/key"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == RESTORE_TIMED_OUT
    assert done.stderr.strip() == "the restore did not finish within 1s"
    assert done.stdout.startswith(f"archive {store}/app-1.tar.gz ")
    assert list(scratch.iterdir()) == []  # the restored key went with its directory
