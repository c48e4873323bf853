"""Retention of reports/histories/ and reports/bundles/: what the last nights need stays, the
rest goes; only hachaos' own files, never through a symlink."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from certfakes import record_of, runs

from hachaos.cli import main
from hachaos.report.retention import BUNDLE, HISTORY, Keep, prune

OLD, SINCE, NEW = 1_000_000.0, 2_000_000.0, 3_000_000.0


def _file(path: Path, mtime: float, size: int = 1000) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, (mtime, mtime))
    return path


def _folders(tmp_path: Path) -> list[tuple[Path, re.Pattern[str]]]:
    return [(tmp_path / "histories", HISTORY), (tmp_path / "bundles", BUNDLE)]


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_old_files_go_recent_and_referenced_ones_stay(tmp_path: Path) -> None:
    h, b = tmp_path / "histories", tmp_path / "bundles"
    _file(h / "redis-kill-master-hc-0000000a.jsonl", OLD, 2 * 1024 * 1024)
    _file(h / "redis-kill-master-size-3-hc-0000000b.jsonl", NEW)
    _file(h / "redis-kill-master-hc-0000000c.jsonl", OLD)  # named by a kept record
    _file(b / "redis-kill-master-hc-0000000a.tar.gz", OLD)
    _file(b / "plat-conformance-hc-0000000d.tar.gz", OLD)  # named by conformance.json
    conformance = frozenset({"plat-conformance-hc-0000000d.tar.gz"})
    keep = Keep(SINCE, frozenset({"hc-0000000c"}), conformance)
    done = prune(_folders(tmp_path), keep)
    assert _names(h) == [
        "redis-kill-master-hc-0000000c.jsonl",
        "redis-kill-master-size-3-hc-0000000b.jsonl",
    ]
    assert _names(b) == ["plat-conformance-hc-0000000d.tar.gz"]
    line = done.line("the last 14 nights")
    assert "\n" not in line
    assert line.startswith(f"retention: removed 1 history ({h}), 1 bundle ({b}), 2.0 MiB freed;")
    assert "kept 3 files" in line and "(the last 14 nights)" in line


def test_a_symlink_is_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    target = _file(outside / "s-hc-0000000a.jsonl", OLD)
    _file(outside / "s-hc-0000000b.tar.gz", OLD)
    (tmp_path / "histories").mkdir()
    link = tmp_path / "histories" / "s-hc-0000000e.jsonl"
    link.symlink_to(target)
    os.utime(link, (OLD, OLD), follow_symlinks=False)
    (tmp_path / "bundles").symlink_to(outside, target_is_directory=True)
    done = prune(_folders(tmp_path), Keep(SINCE))
    assert link.is_symlink() and target.is_file()  # neither the link nor what it points to
    assert _names(outside) == ["s-hc-0000000a.jsonl", "s-hc-0000000b.tar.gz"]
    assert f"{tmp_path / 'bundles'} left alone (a symlink)" in done.line("x")
    assert "removed nothing" in done.line("x")


def test_files_hachaos_did_not_write_stay(tmp_path: Path) -> None:
    h, b = tmp_path / "histories", tmp_path / "bundles"
    foreign = [
        h / "notes.txt",
        h / "history.jsonl",  # no run id
        h / "s-hc-123.jsonl",  # not a run id hachaos makes
        h / "S-HC-0000000A.JSONL",
        h / "s-hc-0000000a.jsonl.bak",
        b / "s-hc-0000000a.tgz",
        b / "s-hc-0000000a.jsonl",  # a history's name, in the bundles folder
    ]
    for path in foreign:
        _file(path, OLD)
    (h / "s-hc-0000000f.jsonl").mkdir()  # a folder by a history's name
    prune(_folders(tmp_path), Keep(SINCE))
    assert all(p.exists() for p in foreign)
    assert (h / "s-hc-0000000f.jsonl").is_dir()


def test_missing_folders_are_fine(tmp_path: Path) -> None:
    assert prune(_folders(tmp_path), Keep(SINCE)).line("x").startswith("retention: removed nothing")


def test_the_size_cap_removes_the_oldest_unreferenced_files_first(tmp_path: Path) -> None:
    h = tmp_path / "histories"
    for i, name in enumerate("abcd"):  # a oldest ... d newest, 1 MiB each
        _file(h / f"s-hc-0000000{name}.jsonl", NEW + i, 1024 * 1024)
    keep = Keep(None, frozenset({"hc-0000000a"}), cap_bytes=2 * 1024 * 1024)
    prune(_folders(tmp_path), keep)
    assert _names(h) == ["s-hc-0000000a.jsonl", "s-hc-0000000d.jsonl"]


# the nightly: `hachaos report --steps compare` prunes once tonight's record is kept


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # reports/ of the test, never the checkout's
    monkeypatch.delenv("HACHAOS_RETAIN_NIGHTS", raising=False)
    monkeypatch.delenv("HACHAOS_RETAIN_MB", raising=False)


def _at(day: int, hour: int) -> float:
    return 1_796_090_400.0 + (day - 1) * 86_400 + (hour - 2) * 3_600  # 2026-12-01T02:00Z


def _night(tmp_path: Path, day: int) -> int:
    rec = record_of({"s": runs("s", [2.0])})  # every night's run is hc-00000000
    path = tmp_path / f"n{day}.json"
    created = f"2026-12-{day:02d}T02:00:00+00:00"
    path.write_text(rec.model_copy(update={"created": created}).to_json())
    return main(["report", "--steps=compare", f"--certification={path}"])


def test_the_nightly_keeps_the_files_of_its_last_nights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    h, b = Path("reports/histories"), Path("reports/bundles")
    for day in range(1, 5):  # each night's files, written an hour before its record
        _file(h / f"s-hc-1000000{day}.jsonl", _at(day, 1))
        _file(b / f"s-hc-1000000{day}.tar.gz", _at(day, 1))
    _file(h / "s-hc-00000000.jsonl", _at(1, 1))  # the run every kept record names
    _file(b / "conf-hc-20000000.tar.gz", _at(1, 1))
    target = {"run_id": "hc-20000000", "bundle": {"path": str(b / "conf-hc-20000000.tar.gz")}}
    Path("reports/conformance.json").write_text(json.dumps([target]))
    monkeypatch.setenv("HACHAOS_RETAIN_NIGHTS", "2")
    for day in range(1, 5):
        assert _night(tmp_path, day) == 0
    assert _names(h) == ["s-hc-00000000.jsonl", "s-hc-10000003.jsonl", "s-hc-10000004.jsonl"]
    assert _names(b) == ["conf-hc-20000000.tar.gz", "s-hc-10000003.tar.gz", "s-hc-10000004.tar.gz"]
    lines = [line for line in capsys.readouterr().out.splitlines() if "retention" in line]
    assert len(lines) == 4
    assert lines[-1].startswith(f"retention: removed 1 history ({h}), 1 bundle ({b})")
    assert "the last 2 nights" in lines[-1]


def test_nothing_is_pruned_before_there_are_more_nights_than_kept(tmp_path: Path) -> None:
    _file(Path("reports/histories/s-hc-10000001.jsonl"), OLD)
    assert _night(tmp_path, 1) == 0
    assert _night(tmp_path, 2) == 0
    assert Path("reports/histories/s-hc-10000001.jsonl").is_file()  # 14 nights by default


def test_a_bad_retention_setting_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HACHAOS_RETAIN_NIGHTS", "0")
    with pytest.raises(SystemExit) as exc:
        main(["report", "--steps=compare"])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--retain-nights" in err[0] and "HACHAOS_RETAIN_NIGHTS" in err[0]


def test_an_unreadable_conformance_summary_keeps_every_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    history = _file(Path("reports/histories/s-hc-10000001.jsonl"), _at(1, 1))
    bundle = _file(Path("reports/bundles/conf-hc-20000000.tar.gz"), _at(1, 1))
    Path("reports/conformance.json").write_text('[{"bundle": {"path": "reports/bun')
    monkeypatch.setenv("HACHAOS_RETAIN_NIGHTS", "1")
    assert _night(tmp_path, 1) == 0
    assert _night(tmp_path, 2) == 0
    assert bundle.is_file() and not history.exists()
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith("reports/bundles left alone (reports/conformance.json unreadable)")
