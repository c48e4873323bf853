"""Conformance suite per stack: checks and outcomes, wall time once booted, and the support
bundle's size and collection time.

For each stack (and each run): boot it through the Docker backend (timed), run the conformance
suite against the live run in a child pytest (`--hachaos-conformance-run RUN_ID:PROFILE`): its
summary gives the checks by outcome and the wall time from the target attached to its last
check (facts prefetch included); the child's own wall time (collection, interpreter start) is
printed next to it. Then the stack's support bundle is written (size, time), and the stack is
torn down. Figures only, no assertions.

python benchmarks/conformance_bench.py [STACK[:PROFILE] ...] [--runs 1] [--stacks DIR]
  default stacks: redis-sentinel postgres-patroni rabbitmq-cluster platform
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hachaos.backends.docker.backend import DockerBackend
from hachaos.report.bundle import write_bundle
from hachaos.runid import new_run_id
from hachaos.spec.loader import find_stack_file, load_stack, stack_search_dirs

REPO = Path(__file__).resolve().parents[1]
DEFAULT = ["redis-sentinel", "postgres-patroni", "rabbitmq-cluster", "platform"]


def suite(
    run_id: str, profile: str, extra: list[str], out: Path
) -> tuple[dict[str, object], float]:
    """Run the conformance suite against `run_id`; its summary record and the child's wall."""
    summary = out / f"{run_id}.json"
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(REPO / "suites" / "conformance"),
        "-q",
        "-p",
        "no:cacheprovider",
        "-m",
        "conformance",
        "--hachaos-conformance-run",
        f"{run_id}:{profile}",
        "--hachaos-conformance-summary",
        str(summary),
        "--hachaos-bundle-dir",
        str(out / "bundles"),
        *extra,
    ]
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    wall = time.monotonic() - t0
    if not summary.is_file():
        print(proc.stdout[-2000:], proc.stderr[-2000:], sep="\n")
        raise SystemExit(f"no conformance summary for {run_id}")
    [record] = json.loads(summary.read_text())
    for failure in record["failures"]:
        print(f"    FAIL {failure['check']}: {failure['message'].splitlines()[0]}")
    return record, wall


def one(backend: DockerBackend, target: str, dirs: list[Path], extra: list[str], out: Path) -> str:
    """Boot, check, bundle, tear down one stack; its result line."""
    name, _, profile = target.partition(":")
    path = find_stack_file(name, dirs)
    if path is None:
        raise SystemExit(f"unknown stack {name}")
    spec = load_stack(path)
    run_id = new_run_id()
    t0 = time.monotonic()
    try:
        stack = backend.up(spec, run_id)
        boot = time.monotonic() - t0
        record, child = suite(run_id, profile or name, extra, out)
        bundle = write_bundle(stack, f"bench-{name}", out / "bundles")
    finally:
        backend.down(run_id)
    return (
        f"{name:24} {len(spec.nodes):3} nodes  boot {boot:6.1f}s  "
        f"{record['checks']:3} checks ({record['pass']} pass, {record['fail']} fail, "
        f"{record['skip']} skip)  suite {record['wall_s']:5.1f}s (process {child:5.1f}s)  "
        f"bundle {bundle.size / 1024:6.1f} KiB in {bundle.seconds:4.1f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("targets", nargs="*", default=DEFAULT, metavar="STACK[:PROFILE]")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--stacks", action="append", type=Path, default=[], metavar="DIR")
    args = parser.parse_args()
    dirs = stack_search_dirs(REPO, args.stacks)
    extra = [arg for d in args.stacks for arg in ("--hachaos-stacks", str(d.resolve()))]
    backend = DockerBackend()
    with tempfile.TemporaryDirectory(prefix="hachaos-conformance-bench-") as tmp:
        for k in range(1, args.runs + 1):
            for target in args.targets:
                print(
                    f"run {k}/{args.runs}: {one(backend, target, dirs, extra, Path(tmp))}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
