"""`hachaos report` and the nightly tools without npm: a stand-in allure binary, fake records."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from certfakes import record_of, runs

from hachaos.cli import main
from hachaos.errors import InfraError
from hachaos.report import nightly_tools
from hachaos.report.allure_html import ALLURE_VERSION, allure_config, generate, strip_analytics

GTAG = """<body><div id="app"></div>
    <script async src="https://www.googletagmanager.com/gtag/js?id=G-X"></script>
    <script>
        window.dataLayer = window.dataLayer || [];
        function gtag(){dataLayer.push(arguments);}
        gtag('js', new Date());
    </script>
    <script>window.data = 1;</script></body>"""

FAKE_ALLURE = """#!/bin/sh
# stand-in for `allure generate RESULTS --config CFG --output OUT`
mkdir -p "$6"
cp "$4" "$6/used-config.json"
printf '%s' "$GTAG" > "$6/index.html"
echo "analytics=$ALLURE_NO_ANALYTICS" > "$6/env.txt"
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the comparison prunes reports/histories: the test's own
    monkeypatch.delenv("HACHAOS_RETAIN_NIGHTS", raising=False)


def test_strip_analytics_removes_only_the_tracking_scripts(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(GTAG)
    assert strip_analytics(tmp_path) == 1
    text = (tmp_path / "index.html").read_text()
    assert "googletagmanager" not in text and "gtag(" not in text
    assert "window.data = 1" in text


def test_config_carries_history_in_a_file(tmp_path: Path) -> None:
    cfg = allure_config(tmp_path / "out", tmp_path / "night" / "h.jsonl", "nightly")
    assert cfg["historyPath"] == str((tmp_path / "night" / "h.jsonl").resolve())
    assert cfg["output"] == str((tmp_path / "out").resolve())


def _fake_allure(tmp_path: Path) -> Path:
    binary = tmp_path / "allure"
    binary.write_text(FAKE_ALLURE)
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    return binary


def _write(path: Path, recoveries: list[float]) -> Path:
    path.write_text(record_of({"s": runs("s", recoveries)}).to_json())
    return path


def test_report_generates_then_compares_with_the_previous_night(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GTAG", GTAG)
    results, night = tmp_path / "results", tmp_path / "nightly"
    results.mkdir()
    tonight = _write(tmp_path / "cert.json", [2.0])
    common = [
        "report",
        f"--results={results}",
        f"--out={tmp_path / 'out'}",
        f"--night-dir={night}",
        f"--certification={tonight}",
        f"--markdown={tmp_path / 'c.md'}",
        f"--allure={_fake_allure(tmp_path)}",
    ]
    assert main(common) == 0  # first night: becomes the baseline
    assert "googletagmanager" not in (tmp_path / "out" / "index.html").read_text()
    assert (tmp_path / "out" / "env.txt").read_text().strip() == "analytics=true"
    used = json.loads((tmp_path / "out" / "used-config.json").read_text())
    assert used["historyPath"].endswith("nightly/allure-history.jsonl")
    assert (night / "certification.json").read_text() == tonight.read_text()
    _write(tonight, [9.0])  # the next night is worse
    assert main([*common, "--steps=compare"]) == 1
    assert "REGRESSION" in capsys.readouterr().out
    assert json.loads((night / "certification.json").read_text())["scenarios"]["s"]


def test_report_bad_input_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", f"--results={tmp_path / 'none'}"]) == 2
    assert main(["report", "--steps=publish"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"hachaos report: {tmp_path / 'none'}: no Allure results folder",
        "hachaos report: unknown step(s) publish",
    ]


def test_nightly_tools_know_the_pinned_allure(tmp_path: Path) -> None:
    package = tmp_path / "node_modules" / "allure" / "package.json"
    assert nightly_tools.installed_allure(tmp_path) is None
    package.parent.mkdir(parents=True)
    package.write_text(json.dumps({"version": ALLURE_VERSION}))
    assert nightly_tools.installed_allure(tmp_path) == ALLURE_VERSION
    assert nightly_tools.ensure_allure(tmp_path) == tmp_path / "node_modules/.bin/allure"


def test_nightly_tools_say_what_to_install_when_not_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(nightly_tools.SetupError, match="install nodejs npm"):
        nightly_tools.apt_install(["node", "npm"])


def test_a_report_replaces_the_previous_one_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Allure does not empty its output folder: last night's results must not linger in it
    monkeypatch.setenv("GTAG", GTAG)
    out = tmp_path / "out"
    (out / "data" / "test-results").mkdir(parents=True)
    (out / "data" / "test-results" / "last-night.json").write_text("{}")
    done = generate(str(_fake_allure(tmp_path)), tmp_path, out, tmp_path / "h.jsonl", "n")
    assert done.output == out
    assert not (out / "data").exists()
    assert (out / "index.html").is_file()
    assert not list(tmp_path.glob(".out.new"))


def test_a_failed_generation_leaves_the_previous_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "index.html").write_text("last night")
    failing = tmp_path / "allure"
    failing.write_text("#!/bin/sh\necho 'no results' >&2\nexit 1\n")
    failing.chmod(failing.stat().st_mode | stat.S_IEXEC)
    with pytest.raises(InfraError, match="allure generate failed \\(1\\): no results"):
        generate(str(failing), tmp_path, out, tmp_path / "h.jsonl", "n")
    assert (out / "index.html").read_text() == "last night"


def _night(path: Path, recovery: float, day: int) -> Path:
    rec = record_of({"s": runs("s", [recovery], resolution_s=0.13)})
    path.write_text(
        rec.model_copy(update={"created": f"2026-12-{day:02d}T02:00:00+00:00"}).to_json()
    )
    return path


def _compare(tmp_path: Path, tonight: Path, *extra: str) -> int:
    night = tmp_path / "nightly"
    return main(["report", "--steps=compare", f"--night-dir={night}", f"--certification={tonight}",
                 f"--markdown={tmp_path / 'c.md'}", *extra])  # fmt: skip


def test_the_last_nights_are_pooled_as_the_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # postgres-kill-primary's recovery on three real nights, then 10.13 s: within the nights'
    # spread, though 16 % slower than the last night alone
    for day, recovery in enumerate((10.57, 10.56, 8.71), start=1):
        assert _compare(tmp_path, _night(tmp_path / f"n{day}.json", recovery, day)) in (0, 1)
    capsys.readouterr()
    assert _compare(tmp_path, _night(tmp_path / "n4.json", 10.13, 4)) == 0
    out = capsys.readouterr().out
    assert "the last 3 night(s) pooled" in out
    assert "[8.71..10.57, n=3]" in out
    assert _compare(tmp_path, _night(tmp_path / "n5.json", 25.0, 5)) == 1


def test_only_the_newest_nights_are_kept_and_pooled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day in range(1, 6):
        night = _night(tmp_path / f"n{day}.json", 2.0, day)
        _compare(tmp_path, night, "--keep-nights=2", "--retain-nights=3")
    kept = sorted(p.name for p in (tmp_path / "nightly" / "nights").iterdir())
    assert kept == [f"2026-12-0{day}T020000+0000.json" for day in (3, 4, 5)]
    assert "the last 2 night(s) pooled" in capsys.readouterr().out
    last = (tmp_path / "nightly" / "certification.json").read_text()
    assert last == (tmp_path / "n5.json").read_text()


def test_a_night_folder_from_before_offers_its_last_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nightly").mkdir()
    _night(tmp_path / "nightly" / "certification.json", 2.0, 1)
    assert _compare(tmp_path, _night(tmp_path / "n2.json", 9.0, 2)) == 1
    assert "the last 1 night(s) pooled" in capsys.readouterr().out


def test_an_unreadable_kept_night_is_exit_2_and_tonight_is_not_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nightly" / "nights").mkdir(parents=True)
    (tmp_path / "nightly" / "nights" / "2026-12-01.json").write_text('{"format": "hachaos-cert')
    assert _compare(tmp_path, _night(tmp_path / "n2.json", 2.0, 2)) == 2
    assert "2026-12-01.json:1: truncated" in capsys.readouterr().err
    assert not (tmp_path / "nightly" / "certification.json").exists()


def _nights(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in (tmp_path / "nightly" / "nights").iterdir())


def test_a_regressed_night_does_not_join_the_next_nights_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day in (1, 2):
        assert _compare(tmp_path, _night(tmp_path / f"n{day}.json", 2.0, day)) == 0
    assert _compare(tmp_path, _night(tmp_path / "n3.json", 9.0, 3)) == 1
    out = capsys.readouterr().out
    assert "this night regressed: kept as " in out and "left out of the baseline" in out
    assert _nights(tmp_path)[-1] == "2026-12-03T020000+0000.regressed.json"  # kept, marked
    # pooled with the bad night (2.0, 2.0, 9.0) a second 9.0 s would be within the spread
    assert _compare(tmp_path, _night(tmp_path / "n4.json", 9.0, 4)) == 1
    out = capsys.readouterr().out
    assert "the last 2 night(s) pooled" in out and "1 regressed night(s) not pooled" in out
    assert "[2..2, n=2]" in out


def test_a_good_night_after_a_bad_one_is_compared_with_the_nights_before_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for day, recovery in ((1, 2.0), (2, 2.1), (3, 9.0)):
        _compare(tmp_path, _night(tmp_path / f"n{day}.json", recovery, day))
    capsys.readouterr()
    assert _compare(tmp_path, _night(tmp_path / "n4.json", 2.05, 4)) == 0
    out = capsys.readouterr().out
    assert "the last 2 night(s) pooled" in out and "[2..2.1, n=2]" in out
    assert _nights(tmp_path)[-1] == "2026-12-04T020000+0000.json"  # a good night joins
    _compare(tmp_path, _night(tmp_path / "n5.json", 2.0, 5))
    assert "the last 3 night(s) pooled" in capsys.readouterr().out


def test_the_pool_keeps_its_good_nights_past_the_retained_ones(tmp_path: Path) -> None:
    _compare(tmp_path, _night(tmp_path / "n1.json", 2.0, 1), "--retain-nights=2", "--keep-nights=1")
    for day in (2, 3, 4):  # the same regression, night after night
        night = _night(tmp_path / f"n{day}.json", 9.0, day)
        assert _compare(tmp_path, night, "--retain-nights=2", "--keep-nights=1") == 1
    assert _nights(tmp_path) == [
        "2026-12-01T020000+0000.json",
        "2026-12-03T020000+0000.regressed.json",
        "2026-12-04T020000+0000.regressed.json",
    ]


def test_an_empty_pool_says_so_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nights = tmp_path / "nightly" / "nights"
    nights.mkdir(parents=True)
    _night(nights / "2026-12-01T020000+0000.regressed.json", 2.0, 1)
    assert _compare(tmp_path, _night(tmp_path / "n2.json", 9.0, 2)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"no good night to compare with in {tmp_path / 'nightly'} (the 1 kept night regressed): "
        "this night is not compared and becomes the baseline"
    )
    assert not any("REGRESSION" in line for line in out)
    assert _nights(tmp_path)[-1] == "2026-12-02T020000+0000.json"
