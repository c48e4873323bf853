"""Allure 3 metrics: every measurement as a numeric sample in `<run>-perf.json`.

Allure 3 reads `*-perf.json` files in the results folder (an array of samples with `id`,
`key`, `value`, `start`, `stop`, optional `title`, `unit`, `group`, `better`), shows them in
its metrics widget and keeps their means in its history file, so recovery time, lost writes
and error rates trend across nights. The key is `scenario/measurement`: one series per pair.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from hachaos.scenario.result import ScenarioResult


def metric_samples(result: ScenarioResult, now_ms: int) -> list[dict[str, object]]:
    """One sample per measured value of the run (values that could not be measured skipped)."""
    samples: list[dict[str, object]] = []
    for m in result.verdict.measurements:
        if m.value is None:
            continue
        samples.append(
            {
                "id": f"{result.run_id}/{m.name}",
                "key": f"{result.scenario}/{m.name}",
                "value": m.value,
                "start": now_ms,
                "stop": now_ms,
                "title": f"{result.scenario}: {m.name}",
                "unit": m.unit,
                "group": result.scenario,
                "better": "higher" if m.cmp == "≥" else "lower",
            }
        )
    return samples


def write_metrics(results_dir: Path, result: ScenarioResult) -> Path:
    """Write the run's samples next to its Allure result."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"{result.run_id}-perf.json"
    samples = metric_samples(result, int(time.time() * 1000))
    path.write_text(json.dumps(samples, indent=1) + "\n")
    return path
