"""CLI behaviour that needs no Docker: validate's output and exit codes, one-line usage errors."""

from __future__ import annotations

import subprocess
import sys
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


@pytest.mark.parametrize(
    ("argv", "prog", "says"),
    [
        ([], "hachaos", "the following arguments are required: COMMAND"),
        (["--bogus", "ps"], "hachaos", "unrecognized arguments: --bogus"),
        (["nosuch"], "hachaos", "argument COMMAND: invalid choice: 'nosuch'"),
        (["up"], "hachaos up", "the following arguments are required: STACK"),
        (["up", "s", "--bogus"], "hachaos up", "unrecognized arguments: --bogus"),
        (["up", "s", "--param", "size"], "hachaos up", "argument --param: expected NAME=VALUE"),
        (["compare", "a.json"], "hachaos compare", "arguments are required: CANDIDATE"),
        (["compare", "a", "b", "--nope"], "hachaos compare", "unrecognized arguments: --nope"),
        (["images"], "hachaos images", "the following arguments are required: ACTION"),
        (["images", "build", "--base", "x"], "hachaos images build", "invalid choice: 'x'"),
        (["proxy", "serve", "--port", "p"], "hachaos proxy serve", "invalid int value: 'p'"),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_usage_error_is_one_line_naming_the_command_and_exits_2(
    argv: list[str], prog: str, says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == ""
    [line] = err.splitlines()
    assert line.startswith(f"{prog}: error: ") and says in line
    assert line.endswith(f" (see {prog} --help)")


def test_help_is_still_the_full_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["up", "--help"])
    assert exc.value.code == 0
    assert capsys.readouterr().out.startswith("usage: hachaos up [-h]")


@pytest.mark.parametrize(
    "module", ["hachaos.reaper", "hachaos.proxy", "hachaos.vmhosts", "hachaos.report.nightly_tools"]
)
def test_the_other_entry_points_give_one_usage_line_too(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", module, "--no-such-option"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"python -m {module}: error: ")
    assert line.endswith(f"(see python -m {module} --help)")
