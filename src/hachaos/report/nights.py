"""The last nights' certification records, kept in the night folder to compare against.

`nights/<created>.json` holds the newest `keep` records (oldest removed first);
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


def kept(night_dir: Path) -> list[Path]:
    """The kept records, oldest first."""
    records = sorted((night_dir / NIGHTS).glob("*.json"))
    if not records and (night_dir / LAST).is_file():
        return [night_dir / LAST]
    return records


def store(night_dir: Path, record_file: Path, record: Certification, keep: int) -> Path:
    """Keep tonight's record (as the last night, and among the nights), drop the oldest beyond
    `keep`; where it went."""
    nights = night_dir / NIGHTS
    nights.mkdir(parents=True, exist_ok=True)
    target = nights / f"{record.created.replace(':', '')}.json"
    shutil.copyfile(record_file, target)
    shutil.copyfile(record_file, night_dir / LAST)
    for old in sorted(nights.glob("*.json"))[: -max(keep, 1)]:
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
