"""Crash safety for real: a runner SIGKILLed with a partition active leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from hachaos.backends.docker import labels
from hachaos.backends.docker.backend import DockerBackend
from hachaos.clock import wait_until
from hachaos.node import NodeRef
from hachaos.reaper import start_reaper
from hachaos.reaper.journal import Journal
from hachaos.reaper.undo import Resume

pytestmark = pytest.mark.integration

RUNNER = Path(__file__).resolve().parents[2] / "benchmarks" / "crash_runner.py"


def test_reaper_cleans_up_after_a_sigkilled_runner(
    docker_backend: DockerBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HACHAOS_RUNS_DIR", str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, str(RUNNER), "--type", "partition"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    run_id = proc.stdout.readline().split()[1]
    try:
        assert proc.stdout.readline().startswith("active"), "runner never injected its fault"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    api = docker_backend.api

    def left() -> int:
        return len(api.containers(all=True, filters=labels.run_filter(run_id))) + len(
            api.networks(filters=labels.run_filter(run_id))
        )

    wait_until(left, lambda n: n == 0, what=f"run {run_id} reaped", timeout_s=30, interval_s=0.2)
    log_file = tmp_path / run_id / "reaper.log"
    log = wait_until(
        log_file.read_text, lambda t: "faults reverted" in t, what="reaper summary", timeout_s=5
    )
    assert "deleted 2 rule(s) tagged hachaos:" in log
    assert Journal.for_run(run_id, tmp_path).pending() == []


def test_stand_down_after_a_clean_run_removes_the_journal(tmp_path: Path) -> None:
    handle = start_reaper("hc-standdown", tmp_path / "hc-standdown" / "journal.jsonl")
    assert handle.alive()
    assert handle.stand_down() == 0
    assert not (tmp_path / "hc-standdown").exists()


def test_stand_down_still_reverts_what_the_runner_left(
    docker_backend: DockerBackend, tmp_path: Path
) -> None:
    api = docker_backend.api
    cid = api.create_container("hachaos/tools", labels={"io.hachaos.test": "standdown"})["Id"]
    try:
        api.start(cid)
        api.pause(cid)
        handle = start_reaper("hc-leftover", tmp_path / "hc-leftover" / "journal.jsonl")
        handle.journal.begin("pause-1", "x", Resume(NodeRef("docker", "x", cid)))
        assert handle.stand_down() == 0
        assert not api.inspect_container(cid)["State"]["Paused"]
    finally:
        api.remove_container(cid, force=True)
