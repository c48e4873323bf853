"""Kill the Patroni primary N times per mode on a fresh stack each time; print recovery and
lost writes. Usage: python benchmarks/pg_kill_primary.py [RUNS]"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from hachaos.backends import get_backend
from hachaos.events import EventBus
from hachaos.runid import new_run_id
from hachaos.scenario.runner import run_scenario
from hachaos.spec.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("kill-primary.yaml", "kill-primary-sync.yaml")


def once(path: Path) -> tuple[float | None, int | None, int | None, str]:
    loaded = load_scenario(path)
    backend, run_id = get_backend("docker"), new_run_id()
    try:
        stack = backend.up(loaded.stack, run_id)
        result = run_scenario(loaded.spec, stack, EventBus())
    finally:
        backend.down(run_id)
    values = {m.name: m.value for m in result.verdict.measurements}
    lost, acked = values.get("lost_writes"), values.get("acknowledged")
    rec = result.recovery.recovery_s if result.recovery else None
    return rec, lost, acked, result.verdict.outcome.value  # type: ignore[return-value]


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    for name in SCENARIOS:
        recs: list[float] = []
        for i in range(runs):
            rec, lost, acked, outcome = once(ROOT / "scenarios" / "postgres" / name)
            print(f"{name} run {i + 1}: {outcome} recovery={rec} lost={lost} acked={acked}")
            if rec is not None:
                recs.append(rec)
        if recs:
            print(
                f"{name}: recovery median {statistics.median(recs):.2f}s "
                f"min {min(recs):.2f}s max {max(recs):.2f}s over {len(recs)} runs",
                flush=True,
            )


if __name__ == "__main__":
    main()
