"""Bad certification files: one line naming the file and what is wrong, exit 2, no traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from certfakes import record, result

from hachaos.certification.load import BadRecord, load_certification
from hachaos.cli import main


def _good(tmp_path: Path, name: str = "good.json") -> Path:
    path = tmp_path / name
    path.write_text(record(result()).to_json())
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty file"),
        ('{"format": "hachaos-certification", "format_ver', "truncated"),
        ("not json at all", "not valid JSON"),
        ('{"suites": []}', "not a hachaos certification record"),
        ("[1, 2]", "not a hachaos certification record"),
        ('{"format": "hachaos-certification", "format_version": 2}', "version 2 is not supported"),
        ('{"format": "hachaos-certification", "format_version": 1}', "invalid certification"),
    ],
)
def test_bad_file_is_one_line_naming_it(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(BadRecord) as err:
        load_certification(path)
    message = str(err.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_truncated_real_record_is_reported_as_truncated(tmp_path: Path) -> None:
    good = _good(tmp_path).read_text()
    path = tmp_path / "cut.json"
    path.write_text(good[: len(good) // 2])
    with pytest.raises(BadRecord, match="truncated"):
        load_certification(path)


def test_wrong_field_type_names_the_field(tmp_path: Path) -> None:
    data = json.loads(_good(tmp_path).read_text())
    data["scenarios"]["redis-kill-master"]["runs"][0]["seed"] = "forty-two"
    path = tmp_path / "typed.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BadRecord, match=r"scenarios\.redis-kill-master\.runs\.0\.seed"):
        load_certification(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(BadRecord, match="cannot read"):
        load_certification(tmp_path / "nope.json")


def test_compare_cli_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "junit.xml"
    bad.write_text("<testsuite/>")
    assert main(["compare", str(_good(tmp_path)), str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert str(bad) in err[0]
    assert "Traceback" not in err[0]


def test_deep_nesting_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text(
        '{"format": "hachaos-certification", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    )
    with pytest.raises(BadRecord) as err:
        load_certification(path)
    assert str(err.value) == f"{path}: not valid JSON: nested too deeply"


def test_a_file_over_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hachaos.certification.load.MAX_RECORD_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text(" " * 1001)
    with pytest.raises(BadRecord) as err:
        load_certification(path)
    assert str(err.value) == (
        f"{path}: larger than 1000 bytes: not a certification record (nor a sane one)"
    )


def test_a_device_or_pipe_is_refused_unread(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)  # reading it would block until a writer came
    with pytest.raises(BadRecord, match="cannot read: not a regular file"):
        load_certification(fifo)


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
def test_a_non_finite_number_is_refused(tmp_path: Path, number: str) -> None:
    data = _good(tmp_path).read_text()
    dist = json.loads(data)["scenarios"]["redis-kill-master"]["distribution"]
    assert "recovery_time_s" in dist
    path = tmp_path / "nan.json"
    path.write_text(data.replace('"median": 2.0', f'"median": {number}', 1))
    with pytest.raises(BadRecord) as err:
        load_certification(path)
    assert "distribution.recovery_time_s.median" in str(err.value)
    assert str(err.value).endswith("median: not a finite number")


def test_a_hostile_key_in_the_error_stays_one_short_line(tmp_path: Path) -> None:
    data = json.loads(_good(tmp_path).read_text())
    scenario = data["scenarios"].pop("redis-kill-master")
    scenario["runs"][0]["seed"] = "forty-two"
    data["scenarios"]["x\nInjected: line" + "y" * 5000] = scenario
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data))
    with pytest.raises(BadRecord) as err:
        load_certification(path)
    message = str(err.value)
    assert "\n" not in message
    assert len(message) < len(str(path)) + 400
    assert "runs.0.seed" in message
