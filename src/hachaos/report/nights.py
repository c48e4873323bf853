"""The last nights' certification records, kept in the night folder to compare against.

`nights/<created>.json` holds the records of the newest `keep` nights (oldest removed first)
and, however old, of the newest `pool` good ones; a night whose comparison found a regression
is kept as `<created>.regressed.json`, in the history but never in the baseline pool (`good`).
`certification.json` stays the last night's record. A night folder from before `nights/`
existed offers its `certification.json` as the one previous night. The records also bound the
nights whose histories and bundles are kept (`window_start`).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from hachaos.certification.record import Certification

NIGHTS = "nights"
LAST = "certification.json"
REGRESSED = ".regressed.json"


def kept(night_dir: Path) -> list[Path]:
    """The kept records, oldest first."""
    records = sorted((night_dir / NIGHTS).glob("*.json"))
    if not records and (night_dir / LAST).is_file():
        return [night_dir / LAST]
    return records


def regressed(path: Path) -> bool:
    """True for the record of a night whose comparison found a regression."""
    return path.name.endswith(REGRESSED)


def good(paths: Sequence[Path]) -> list[Path]:
    """The records that may join the baseline pool: the nights that did not regress."""
    return [path for path in paths if not regressed(path)]


def store(
    night_dir: Path,
    record_file: Path,
    record: Certification,
    keep: int,
    *,
    pool: int = 0,
    bad: bool = False,
) -> Path:
    """Keep tonight's record (as the last night, and among the nights; marked when `bad`), drop
    the oldest beyond the newest `keep` nights unless among the newest `pool` good ones; where
    it went."""
    nights = night_dir / NIGHTS
    nights.mkdir(parents=True, exist_ok=True)
    stamp = record.created.replace(":", "")
    target = nights / f"{stamp}{REGRESSED if bad else '.json'}"
    (nights / f"{stamp}{'.json' if bad else REGRESSED}").unlink(missing_ok=True)  # a rerun's
    shutil.copyfile(record_file, target)
    shutil.copyfile(record_file, night_dir / LAST)
    records = sorted(nights.glob("*.json"))
    pooled = good(records)[-pool:] if pool > 0 else []
    for old in set(records[: -max(keep, 1)]) - set(pooled):
        old.unlink()
    return target


def window_start(records: Sequence[Certification], nights: int) -> float | None:
    """When the last `nights` nights began, as epoch seconds: the end (`created`) of the newest
    night before them, since each night's files are written before its record. None while no
    night is older (every file then belongs to them)."""
    ends = []
    for record in records:
        try:
            ends.append(datetime.fromisoformat(record.created).timestamp())
        except ValueError:
            continue  # not a time: that night cannot bound anything
    ends.sort()
    return ends[-nights - 1] if len(ends) > nights else None
