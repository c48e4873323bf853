import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from backend_fakes import FakeBackend, HostNode

from hachaos.backends.base import ReapReport
from hachaos.node import NodeRef
from hachaos.reaper.journal import Entry, EntryKind, Journal, Writer
from hachaos.reaper.process import STAND_DOWN, wait_for_runner
from hachaos.reaper.reap import Reaper, ReapSummary, reap_run
from hachaos.reaper.signals import install_signal_cleanup
from hachaos.reaper.sweep import sweep_leftovers
from hachaos.reaper.undo import DeleteRules, RemoveToxic, Resume, Undo


class FakeUndoer:
    def __init__(self, fail: set[str] = frozenset()) -> None:  # type: ignore[assignment]
        self.done: list[Undo] = []
        self.fail = fail

    def undo(self, undo: Undo) -> str:
        if undo.kind in self.fail:
            raise RuntimeError("engine said no")
        self.done.append(undo)
        return f"undid {undo.kind}"


def ref(n: int) -> NodeRef:
    return NodeRef("docker", f"n{n}", f"c{n}")


def journal_with(tmp_path: Path, run_id: str = "hc-1") -> Journal:
    j = Journal.for_run(run_id, tmp_path)
    j.begin("f1", "n1", Resume(ref(1)))
    j.begin("f2", "n1", DeleteRules((ref(1),), "hachaos:hc-1:f2"))
    j.begin("f3", "n2", Resume(ref(2)))
    j.undone("f3")
    return j


def teardown(run_id: str) -> ReapReport:
    return ReapReport(run_id, 2, 1, 0, 0.1)


def test_reaper_reverts_pending_newest_first_then_tears_down(tmp_path: Path) -> None:
    j = journal_with(tmp_path)
    undoer = FakeUndoer()
    summary = Reaper(j, undoer, teardown).run()  # type: ignore[arg-type]
    assert [u.kind for u in undoer.done] == ["rules", "resume"]
    assert summary.ok and summary.reverted == ("f2: undid rules", "f1: undid resume")
    assert summary.removed == ReapReport("hc-1", 2, 1, 0, 0.1)
    assert j.pending() == []
    assert j.entries()[-1].kind is EntryKind.REAPED
    assert "2 faults reverted, 2 containers, 1 networks" in summary.line()


def test_a_failed_undo_stays_pending_and_the_rest_proceeds(tmp_path: Path) -> None:
    j = journal_with(tmp_path)
    summary = Reaper(j, FakeUndoer(fail={"rules"}), None).run()  # type: ignore[arg-type]
    assert not summary.ok
    assert summary.failed == ("f2: RuntimeError: engine said no",)
    assert [e.fault_id for e in j.pending()] == ["f2"]
    assert "1 FAILED" in summary.line()


def test_stray_toxics_of_the_run_are_swept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    j = Journal.for_run("hc-1", tmp_path)
    j.begin("f1", "redis", RemoveToxic("http://tp", "redis", "hachaos:hc-1:f1"))
    calls: list[tuple[str, str]] = []

    def sweep(url: str, prefix: str) -> int:
        calls.append((url, prefix))
        return 2

    monkeypatch.setattr("hachaos.reaper.reap.sweep_toxics", sweep)
    summary = Reaper(j, FakeUndoer(), None).run()  # type: ignore[arg-type]
    assert calls == [("http://tp", "hachaos:hc-1:")]
    assert summary.toxics_swept == 2


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_sweep_reaps_only_runs_whose_runner_is_dead(tmp_path: Path) -> None:
    live = Journal.for_run("hc-live", tmp_path)
    live.begin("f1", "n1", Resume(ref(1)))
    dead = Journal.for_run("hc-dead", tmp_path)
    entry = Entry(
        EntryKind.BEGIN,
        "hc-dead",
        Writer(_dead_pid(), Writer.me().host, None),
        0.0,
        fault_id="f1",
        target="n1",
        undo=Resume(ref(9)),
    )
    dead.path.parent.mkdir(parents=True)
    dead.path.write_text(entry.to_json() + "\n")
    reaped = []

    def reap(run_id: str, journal: Journal, *, teardown: bool) -> ReapSummary:
        reaped.append((run_id, teardown))
        return ReapSummary(run_id, reverted=("f1: resumed",))

    report = sweep_leftovers(None, tmp_path, reap=reap)
    assert reaped == [("hc-dead", False)]  # nobody claimed the stack: faults only
    assert report.live == ("hc-live",)
    assert report.found_leftovers
    assert "swept leftovers of a dead run: hc-dead: 1 faults reverted" in report.warning()
    assert not dead.path.parent.exists()  # a reaped run's journal is removed
    assert live.path.exists()


def test_sweep_of_nothing_warns_nothing(tmp_path: Path) -> None:
    report = sweep_leftovers(None, tmp_path / "absent")
    assert report.warning() == "" and report.reaped == ()


def test_wait_for_runner_sees_stand_down_and_death() -> None:
    runner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    r, w = os.pipe()
    with os.fdopen(r, "rb") as channel, os.fdopen(w, "wb") as writer:
        writer.write(STAND_DOWN)
        writer.flush()
        assert wait_for_runner(runner.pid, channel) == "stand-down"
    r, w = os.pipe()
    with os.fdopen(r, "rb") as channel:
        os.close(w)  # the pipe closing alone is not a stand-down: the process decides
        threading.Timer(0.2, runner.kill).start()
        assert wait_for_runner(runner.pid, channel) == "died"
    runner.wait()


def test_wait_for_an_already_dead_runner() -> None:
    r, w = os.pipe()
    with os.fdopen(r, "rb") as channel, os.fdopen(w, "wb"):
        assert wait_for_runner(_dead_pid(), channel) == "died"


def test_signal_cleanup_runs_callback_then_interrupts() -> None:
    calls = []
    restore = install_signal_cleanup(lambda: calls.append("cleaned"), signals=(signal.SIGUSR1,))
    try:
        with pytest.raises(KeyboardInterrupt, match="faults reverted"):
            os.kill(os.getpid(), signal.SIGUSR1)
        assert calls == ["cleaned"]
        assert signal.getsignal(signal.SIGUSR1) is signal.SIG_DFL  # a second signal: default
    finally:
        restore()


def test_sweep_tears_down_runs_a_runner_claimed(tmp_path: Path) -> None:
    claimed = Journal.for_run("hc-owned", tmp_path)
    entry = Entry(EntryKind.RUN, "hc-owned", Writer(_dead_pid(), Writer.me().host, None), 0.0)
    claimed.path.parent.mkdir(parents=True)
    claimed.path.write_text(entry.to_json() + "\n")
    seen = []

    def reap(run_id: str, journal: Journal, *, teardown: bool) -> ReapSummary:
        seen.append(teardown)
        return ReapSummary(run_id, removed=ReapReport(run_id, 2, 1, 0, 0.1))

    report = sweep_leftovers(None, tmp_path, reap=reap)
    assert seen == [True]
    assert report.found_leftovers


def test_reap_run_reverts_and_tears_down_through_the_backend_the_journal_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = HostNode("n1")
    hosts = FakeBackend("hosts", False, {"ssh://n1": node})
    monkeypatch.setattr("hachaos.reaper.actions.get_backend", {"hosts": hosts}.__getitem__)
    j = Journal.for_run("hc-1", tmp_path)
    j.mark_run("hosts")
    j.begin("f1", "n1", Resume(NodeRef("hosts", "n1", "ssh://n1")))
    summary = reap_run("hc-1", j)
    assert summary.ok and node.actions == ["resume"]
    assert hosts.downed == ["hc-1"]


def test_sweep_reports_runs_the_backend_holds_without_a_journal(tmp_path: Path) -> None:
    Journal.for_run("hc-live", tmp_path).mark_run("hosts")
    backend = FakeBackend("hosts", False, {}, held={"hc-live", "hc-stray"})
    report = sweep_leftovers(backend, tmp_path)
    assert report.unmanaged == ("hc-stray",) and report.live == ("hc-live",)
