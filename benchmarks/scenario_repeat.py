"""Run one scenario N times (fresh stack each time) and print its measurements per run.

python benchmarks/scenario_repeat.py scenarios/redis-sentinel/kill-master.yaml --runs 5
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from hachaos.backends.docker.backend import DockerBackend
from hachaos.events import EventBus
from hachaos.runid import new_run_id
from hachaos.scenario.runner import run_scenario
from hachaos.spec.loader import load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    loaded = load_scenario(args.scenario)
    backend = DockerBackend()
    recoveries = []
    for i in range(args.runs):
        run_id = new_run_id()
        stack = backend.up(loaded.stack, run_id)
        try:
            result = run_scenario(loaded.spec, stack, EventBus())
        finally:
            backend.down(run_id)
        rec = result.recovery
        if rec is not None and rec.recovery_s is not None:
            recoveries.append(rec.recovery_s)
        print(f"run {i + 1}: {result.verdict.summary()}  [targets {', '.join(result.targets)}]")
    print(f"probe interval {loaded.spec.probe.interval_ms} ms")
    if recoveries:
        print(
            f"recovery_s median {statistics.median(recoveries):.3f}  min {min(recoveries):.3f}  "
            f"max {max(recoveries):.3f}  over {len(recoveries)} runs"
        )


if __name__ == "__main__":
    main()
