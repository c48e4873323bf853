"""Boot and teardown time of a stack (images already built), over N runs.

python benchmarks/stack_boot.py [--stack redis-sentinel] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from hachaos.backends.docker.backend import DockerBackend
from hachaos.runid import new_run_id
from hachaos.spec.loader import load_stack

REPO = Path(__file__).resolve().parents[1]


def stats(name: str, values: list[float]) -> str:
    return (
        f"{name:9} median {statistics.median(values):6.2f}s  min {min(values):6.2f}s  "
        f"max {max(values):6.2f}s  ({', '.join(f'{v:.2f}' for v in values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", default="redis-sentinel")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    spec = load_stack(REPO / "fixtures" / "stacks" / f"{args.stack}.yaml")
    backend = DockerBackend()
    boots, downs = [], []
    for _ in range(args.runs):
        run_id = new_run_id()
        t0 = time.monotonic()
        try:
            backend.up(spec, run_id)
            boots.append(time.monotonic() - t0)
        finally:
            t1 = time.monotonic()
            backend.down(run_id)
            downs.append(time.monotonic() - t1)
    print(f"stack {args.stack}, {args.runs} runs, {len(spec.nodes)} nodes")
    print(stats("boot", boots))
    print(stats("teardown", downs))


if __name__ == "__main__":
    main()
