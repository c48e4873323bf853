"""Hostile-input benchmark: wall time and peak memory of `hachaos validate` on the worst files.

    python benchmarks/validate_hostile.py [--keep DIR]

Generates alias bombs, a 20 MB file, files just under the size cap, deep nesting (flow and
block), recursive aliases, non-UTF-8 bytes, over-long names and an include bomb (stacks that
include the next one four times, eight levels deep: 4^8 files to read without a bound); runs
`hachaos validate` on each as its own subprocess and prints the exit code, wall time, the
child's peak RSS (its own `rusage`, as RUSAGE_CHILDREN reports it, read per child with
`os.wait4`) and the first problem line. Figures, not assertions; the targets are < 5 s and
< 500 MB with exit 2 for each.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

STACK = """\
name: tiny
image: hachaos/tools:latest
nodes:
  a: {role: primary}
  b: {role: replica}
"""
SCENARIO = """\
name: tiny-kill
stack: tiny
probe: {type: redis-sentinel-write}
fault: {action: kill, target: {role: primary}}
budget: {recovery_time_s: 5}
"""
MIB = 1024 * 1024
BOMB_LEVELS, BOMB_WIDTH = 8, 4


def include_bomb() -> dict[str, str]:
    """Stack files bomb-0 .. bomb-8, each including the next `BOMB_WIDTH` times."""
    stacks = {
        f"bomb-{BOMB_LEVELS}": f"name: bomb-{BOMB_LEVELS}\nimage: x\nnodes:\n  a: {{role: app}}\n"
    }
    for i in range(BOMB_LEVELS):
        includes = "".join(f"  n{j}: {{stack: bomb-{i + 1}}}\n" for j in range(BOMB_WIDTH))
        stacks[f"bomb-{i}"] = (
            f"name: bomb-{i}\nimage: x\ninclude:\n{includes}nodes:\n  b{i}: {{role: app}}\n"
        )
    return stacks


def billion_laughs(levels: int = 10, width: int = 9) -> str:
    """The classic: each level is `width` aliases of the previous one (a few hundred bytes)."""
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "name: x\n" + "\n".join(lines) + "\n"


def merge_bomb(levels: int = 30) -> str:
    """Mappings merged into each other with `<<`, each level doubling the keys."""
    lines = ["m0: &m0 {a: 1, b: 2}"]
    for i in range(1, levels):
        lines.append(f"m{i}: &m{i} {{x{i}: *m{i - 1}, y{i}: *m{i - 1}}}")
    return "name: x\n" + "\n".join(lines) + "\n"


def twenty_mb() -> str:
    """A 20 MB scenario: the real one plus a huge list of plausible keys."""
    body = "".join(f"  key{i}: value {i}\n" for i in range(700_000))
    return SCENARIO + "extra:\n" + body


def flat_list_under_cap() -> str:
    """Just under the cap: one list of ~500k tiny scalars."""
    return SCENARIO + "junk: [" + "1," * ((MIB - 400) // 2) + "1]\n"


def one_big_string_under_cap() -> str:
    """Just under the cap: a single 1 MiB description the scanner must read to the end."""
    return SCENARIO + "description: " + "x" * (MIB - 400) + "\n"


def comments_under_cap() -> str:
    """Just under the cap: a valid scenario followed by comment lines."""
    return SCENARIO + ("# " + "c" * 78 + "\n") * ((MIB - 400) // 81)


def deep_flow(depth: int) -> str:
    """`depth` nested flow sequences."""
    return "name: " + "[" * depth + "]" * depth + "\n"


def deep_block(depth: int) -> str:
    """`depth` mappings nested by indentation."""
    return "name: x\n" + "".join(f"{'  ' * i}k{i}:\n" for i in range(depth)) + "  " * depth + "v\n"


def junk_bytes() -> bytes:
    """1 MiB of seeded random bytes."""
    return random.Random(7).randbytes(MIB - 1)


CASES: dict[str, Callable[[], str | bytes]] = {
    "shipped scenario (baseline)": lambda: SCENARIO,
    "billion laughs (10x9 aliases)": billion_laughs,
    "merge-key bomb (2^30 keys)": merge_bomb,
    "wide fan-out (4000 x 3 aliases)": lambda: (
        "a: &a [" + ", ".join(["x"] * 4000) + "]\nb: [*a, *a, *a]\n"
    ),
    "recursive alias": lambda: "name: x\nloop: &a [1, *a]\n",
    "20 MB file": twenty_mb,
    "1 MiB flat list (under cap)": flat_list_under_cap,
    "1 MiB single string (under cap)": one_big_string_under_cap,
    "1 MiB of comments (under cap)": comments_under_cap,
    "300-deep flow nesting": lambda: deep_flow(300),
    "300-deep block nesting": lambda: deep_block(300),
    "500k-deep flow nesting (under cap)": lambda: deep_flow(500_000),
    "Latin-1 bytes": lambda: SCENARIO.replace("tiny-kill", "caf\xe9").encode("latin-1"),
    "UTF-16": lambda: SCENARIO.encode("utf-16"),
    "1 MiB random bytes": junk_bytes,
    "300-char stack name": lambda: SCENARIO.replace("stack: tiny", "stack: " + "s" * 300),
    "stack: ../../etc/hosts": lambda: SCENARIO.replace("stack: tiny", "stack: ../../etc/hosts"),
    "include bomb (4 x 8 levels)": lambda: SCENARIO.replace("stack: tiny", "stack: bomb-0"),
}


PARSE_ONLY = (
    "import sys, time; from pathlib import Path; from hachaos.commands.validate import _check; "
    "t = time.perf_counter(); _check(Path(sys.argv[1]), []); print(time.perf_counter() - t)"
)


def run_one(path: Path) -> tuple[int, float, float, str]:
    """Exit code, wall seconds, peak RSS in MB, and the first line of output."""
    start = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "hachaos.cli", "validate", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    output = proc.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    first = output.splitlines()[0] if output else ""
    return proc.returncode, wall, usage.ru_maxrss / 1024, first.replace(str(path), "FILE")


def parse_seconds(path: Path) -> float:
    """Seconds the check itself takes in a child, imports excluded."""
    done = subprocess.run(
        [sys.executable, "-c", PARSE_ONLY, str(path)], capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip())


def generate(root: Path) -> list[tuple[str, Path]]:
    """Write the scratch tree and every case; (name, path) per case."""
    (root / "fixtures" / "stacks").mkdir(parents=True, exist_ok=True)
    (root / "fixtures" / "stacks" / "tiny.yaml").write_text(STACK)
    for name, text in include_bomb().items():
        (root / "fixtures" / "stacks" / f"{name}.yaml").write_text(text)
    (root / "scenarios").mkdir(exist_ok=True)
    written = []
    for i, (name, make) in enumerate(CASES.items()):
        content = make()
        path = root / "scenarios" / f"case{i:02}.yaml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
        written.append((name, path))
    return written


def main() -> None:
    """Generate the cases in a child (so this process stays small: a child's peak RSS starts
    from its parent's at fork), then print one line of figures per case."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", type=Path, help="write the cases here and keep them")
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="hachaos-hostile-"))
    if args.generate_only:
        generate(root)
        return
    subprocess.run([sys.executable, __file__, "--generate-only", "--keep", str(root)], check=True)
    names = list(CASES)
    head = f"{'case':36} {'bytes':>9} {'exit':>4} {'wall s':>6} {'check s':>7} {'peak MB':>7}"
    print(f"{head}  first line")
    for i, name in enumerate(names):
        path = root / "scenarios" / f"case{i:02}.yaml"
        code, wall, rss, first = run_one(path)
        check = parse_seconds(path)
        size = path.stat().st_size
        print(f"{name:36} {size:>9} {code:>4} {wall:>6.2f} {check:>7.3f} {rss:>7.1f}  {first[:80]}")


if __name__ == "__main__":
    main()
