"""`hachaos certify`: what it runs, and bad input before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.cli import build_parser, main
from hachaos.commands.certify import pytest_command


def test_certify_runs_the_catalog_with_repeats_into_the_record() -> None:
    args = build_parser().parse_args(
        ["certify", "--baseline", "b.json", "--repeat", "5", "--", "scenarios", "-k", "kill"]
    )
    cmd = pytest_command(args)
    assert cmd[1:5] == ["-m", "pytest", "scenarios", "-k"]
    assert "--hachaos-repeat=5" in cmd
    assert "--hachaos-certification=reports/certification.json" in cmd
    assert "--clean-alluredir" in cmd


def test_certify_runs_the_catalog_on_a_stack_parameter() -> None:
    args = build_parser().parse_args(
        ["certify", "--baseline", "v1.json", "--stack-param", "version=2", "scenarios/platform"]
    )
    assert pytest_command(args)[-1] == "--hachaos-stack-param=version=2"


def test_certify_without_baseline_file_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["certify", "--baseline", str(tmp_path / "none.json")]) == 2
    assert capsys.readouterr().err.strip() == (
        f"hachaos certify: {tmp_path / 'none.json'}: no such baseline file"
    )


def test_a_bad_baseline_is_exit_2_before_the_catalog_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[object] = []
    monkeypatch.setattr("hachaos.commands.certify.subprocess.run", lambda *a, **k: ran.append(a))
    baseline = tmp_path / "v1.json"
    baseline.write_text('{"format": "hachaos-certification", "format_ver')
    assert main(["certify", "--baseline", str(baseline), "--out", str(tmp_path / "c.json")]) == 2
    assert ran == []
    assert capsys.readouterr().err.strip() == (
        f"hachaos certify: {baseline}:1: truncated: Unterminated string starting at"
    )


@pytest.mark.parametrize("repeat", ["0", "-1", "x"])
def test_a_bad_repeat_is_a_usage_error_before_anything_runs(
    repeat: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[object] = []
    monkeypatch.setattr("hachaos.commands.certify.subprocess.run", lambda *a, **k: ran.append(a))
    with pytest.raises(SystemExit) as exc:
        main(["certify", "--baseline", "b.json", "--repeat", repeat])
    assert exc.value.code == 2 and ran == []
    assert f"argument --repeat: expected an integer >= 1, got '{repeat}'" in capsys.readouterr().err
