"""CLI behaviour that needs no Docker: validate's output and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.cli import main

REPO = Path(__file__).resolve().parents[2]


def test_validate_repo_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(REPO / "fixtures" / "stacks"), str(REPO / "scenarios")]) == 0
    assert "valid" in capsys.readouterr().out


def test_validate_reports_every_problem_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_stack = tmp_path / "stack.yaml"
    bad_stack.write_text("name: s\nnodes:\n  a: {role: app, image: x, colour: red}\n")
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert main(["validate", str(bad_stack), str(empty)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{bad_stack}:3: unknown key 'colour' in nodes.a",
        f"{empty}:1: file is empty: expected a mapping",
    ]
