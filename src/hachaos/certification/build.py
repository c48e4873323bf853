"""Turning scenario results into a certification record: worst run and distributions."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Literal

from hachaos.certification.record import (
    Certification,
    Distribution,
    HostFacts,
    MeasuredValue,
    RunRecord,
    ScenarioRecord,
    StackRecord,
)
from hachaos.scenario.result import ScenarioResult
from hachaos.verdict import Measurement, VerdictOutcome

# Worse verdicts rank higher: a single lucky run must not certify a stack.
SEVERITY = {VerdictOutcome.PASS: 0, VerdictOutcome.INCONCLUSIVE: 1, VerdictOutcome.FAIL: 2}


def measured(m: Measurement) -> MeasuredValue:
    """A verdict's measurement as a record entry."""
    cmp: Literal["≤", "≥"] = "≥" if m.cmp == "≥" else "≤"
    return MeasuredValue(
        name=m.name,
        value=m.value,
        unit=m.unit,
        resolution=m.resolution,
        budget=m.budget,
        ok=m.ok,
        cmp=cmp,
    )


def run_record(result: ScenarioResult) -> RunRecord:
    """One scenario run as a record entry."""
    v = result.verdict
    return RunRecord(
        run_id=result.run_id,
        seed=result.seed,
        outcome=v.outcome,
        reason=v.reason.value,
        detail=v.detail,
        targets=list(result.targets),
        measurements=[measured(m) for m in v.measurements],
    )


def worst(runs: Sequence[RunRecord]) -> RunRecord:
    """The run with the worst verdict (the latest of equals)."""
    return max(reversed(runs), key=lambda r: SEVERITY[r.outcome])


def distributions(runs: Iterable[RunRecord]) -> dict[str, Distribution]:
    """Per measurement name: min, median and max over the runs that measured it."""
    values: dict[str, list[MeasuredValue]] = {}
    for run in runs:
        for m in run.measurements:
            values.setdefault(m.name, []).append(m)
    return {name: d for name, ms in values.items() if (d := _distribution(ms)) is not None}


def _distribution(ms: list[MeasuredValue]) -> Distribution | None:
    # JSON has no NaN or infinity (written as null): only finite values make a distribution
    nums = [float(m.value) for m in ms if m.value is not None and math.isfinite(m.value)]
    if not nums:
        return None
    resolutions = [m.resolution for m in ms if m.resolution is not None]
    return Distribution(
        n=len(nums),
        min=min(nums),
        median=statistics.median(nums),
        max=max(nums),
        unit=ms[0].unit,
        resolution=max(resolutions) if resolutions else None,
        budget=ms[0].budget,
        cmp=ms[0].cmp,
    )


def scenario_record(name: str, stack: str, runs: Sequence[RunRecord]) -> ScenarioRecord:
    """A scenario judged on its worst run, with every run and the distributions."""
    bad = worst(runs)
    return ScenarioRecord(
        name=name,
        stack=stack,
        outcome=bad.outcome,
        reason=bad.reason,
        detail=bad.detail if len(runs) == 1 else f"worst of {len(runs)} runs: {bad.detail}",
        worst_run=bad.run_id,
        runs=list(runs),
        distribution=distributions(runs),
    )


def scenario_records(results: Iterable[ScenarioResult]) -> dict[str, ScenarioRecord]:
    """Group results by scenario (repeats together) into records, in first-run order."""
    grouped: dict[str, list[ScenarioResult]] = {}
    for r in results:
        grouped.setdefault(r.scenario, []).append(r)
    return {
        name: scenario_record(name, rs[0].stack, [run_record(r) for r in rs])
        for name, rs in grouped.items()
    }


def certification(
    results: Iterable[ScenarioResult],
    *,
    version: str,
    git_sha: str | None,
    host: HostFacts,
    stacks: dict[str, StackRecord],
    seed: int | None,
    repeat: int,
) -> Certification:
    """The whole run's record."""
    return Certification(
        hachaos_version=version,
        git_sha=git_sha,
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        seed=seed,
        repeat=repeat,
        host=host,
        stacks=stacks,
        scenarios=scenario_records(results),
    )
