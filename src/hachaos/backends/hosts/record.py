"""The run's record of the hosts it attached to: `<runs dir>/<run_id>/hosts.json`, next to the
run's journal, written before any connection is made. A reaper in another process reaches the
same nodes through it; `down()` marks it released."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from hachaos.backends.hosts.plan import NodePlan
from hachaos.errors import FaultError
from hachaos.reaper.journal import runs_dir

RECORD = "hosts.json"
_PLANS = TypeAdapter(list[NodePlan])


@dataclass(frozen=True)
class RunRecord:
    """One run on a hosts stack: the stack's name, its nodes, and whether it was released."""

    run_id: str
    stack: str
    plans: tuple[NodePlan, ...]
    released: bool = False

    def plan(self, node: str) -> NodePlan | None:
        """The plan of `node`, if the run has one."""
        return next((p for p in self.plans if p.name == node), None)


def record_path(run_id: str, root: Path | None = None) -> Path:
    """Where `run_id`'s record lives."""
    return (root or runs_dir()) / run_id / RECORD


def write_record(record: RunRecord, root: Path | None = None) -> None:
    """Write (or replace) the record atomically."""
    path = record_path(record.run_id, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "stack": record.stack,
        "released": record.released,
        "nodes": _PLANS.dump_python(list(record.plans), mode="json"),
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def read_record(run_id: str, root: Path | None = None) -> RunRecord | None:
    """The record of `run_id`; None when there is none; FaultError when it is damaged."""
    path = record_path(run_id, root)
    try:
        data = json.loads(path.read_text())
        plans = tuple(_PLANS.validate_python(data["nodes"]))
        return RunRecord(run_id, str(data["stack"]), plans, bool(data.get("released")))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, ValidationError) as exc:
        raise FaultError(f"run {run_id}: damaged hosts record {path}: {exc}") from None


def recorded_runs(root: Path | None = None) -> list[RunRecord]:
    """Every run with a readable record that was not released."""
    base = root or runs_dir()
    found = []
    for path in sorted(base.glob(f"*/{RECORD}")) if base.is_dir() else []:
        try:
            record = read_record(path.parent.name, base)
        except FaultError:
            continue
        if record is not None and not record.released:
            found.append(record)
    return found
