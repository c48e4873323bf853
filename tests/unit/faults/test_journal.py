import os
import subprocess
import sys
from pathlib import Path

import pytest

from hachaos.node import Attachment, NodeRef
from hachaos.reaper.journal import Entry, EntryKind, Journal, Writer, journal_path, runs_dir
from hachaos.reaper.undo import (
    DeleteRules,
    EnableProxy,
    Reconnect,
    RemoveToxic,
    Resume,
    StartNode,
    Undo,
    node_refs,
    undo_from_json,
    undo_to_json,
)

N1, N2, N3 = (NodeRef("docker", f"n{i}", f"c{i}") for i in (1, 2, 3))
UNDOS: list[Undo] = [
    Resume(N1),
    StartNode(NodeRef("hosts", "n2", "ssh://ops@db-2:22")),
    DeleteRules((N1, N2), "hachaos:hc-1:partition-1"),
    RemoveToxic("http://127.0.0.1:8474", "redis", "hachaos:hc-1:link-1"),
    EnableProxy("http://127.0.0.1:8474", "redis"),
    Reconnect(N3, Attachment("hc-1-net", ("n3",), "172.18.0.4")),
]


@pytest.mark.parametrize("undo", UNDOS, ids=lambda u: u.kind)
def test_undo_records_round_trip(undo: Undo) -> None:
    assert undo_from_json(undo_to_json(undo)) == undo


def test_unknown_undo_kind_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown undo kind 'teleport'"):
        undo_from_json({"kind": "teleport"})


def test_a_record_without_its_node_reference_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="node"):
        undo_from_json({"kind": "resume", "container_id": "c1"})


def test_records_name_the_backend_of_every_node_they_touch() -> None:
    assert [{r.backend for r in node_refs(u)} for u in UNDOS] == [
        {"docker"},
        {"hosts"},
        {"docker"},
        set(),
        set(),
        {"docker"},
    ]


def test_the_run_entry_names_the_backend(tmp_path: Path) -> None:
    j = Journal.for_run("hc-1", tmp_path)
    assert j.backend() is None
    j.mark_run("docker")
    j.begin("f1", "n1", UNDOS[0])
    assert j.backend() == "docker"
    assert Journal.for_run("hc-1", tmp_path).entries()[0].backend == "docker"


def test_journal_round_trip_and_pending_newest_first(tmp_path: Path) -> None:
    j = Journal.for_run("hc-1", tmp_path)
    assert j.path == tmp_path / "hc-1" / "journal.jsonl"
    j.mark_run()
    j.begin("f1", "n1", UNDOS[0])
    j.begin("f2", "n1 | n2", UNDOS[2])
    j.begin("f3", "redis", UNDOS[3])
    j.undone("f2")
    entries = j.entries()
    assert [e.kind for e in entries] == [EntryKind.RUN] + [EntryKind.BEGIN] * 3 + [EntryKind.UNDONE]
    assert [e.fault_id for e in j.pending()] == ["f3", "f1"]
    assert j.pending()[1].undo == UNDOS[0]
    assert j.last_writer() == Writer.me()


def test_torn_last_line_is_skipped(tmp_path: Path) -> None:
    j = Journal.for_run("hc-2", tmp_path)
    j.begin("f1", "n1", UNDOS[1])
    with j.path.open("a") as fh:
        fh.write('{"kind": "begin", "run_id"')
    assert [e.fault_id for e in j.entries()] == ["f1"]


def test_missing_journal_is_empty(tmp_path: Path) -> None:
    j = Journal.for_run("hc-none", tmp_path)
    assert j.entries() == [] and j.pending() == [] and j.last_writer() is None


def test_entry_json_line_is_compact() -> None:
    e = Entry(EntryKind.UNDONE, "hc-1", Writer(1, "h", None), 1.5, fault_id="f1")
    assert "\n" not in e.to_json()
    assert Entry.from_json(e.to_json()) == e


def test_writer_liveness() -> None:
    assert Writer.me().alive() is True
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    dead = Writer(child.pid, Writer.me().host, None)
    assert dead.alive() is False
    assert Writer(os.getpid(), "elsewhere", None).alive() is None
    reused = Writer(os.getpid(), Writer.me().host, 1)  # same pid, other start time
    assert reused.alive() is False


def test_runs_dir_is_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HACHAOS_RUNS_DIR", str(tmp_path))
    assert runs_dir() == tmp_path
    assert journal_path("hc-9") == tmp_path / "hc-9" / "journal.jsonl"
