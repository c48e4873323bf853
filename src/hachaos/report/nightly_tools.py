"""Install what `tox -e nightly` needs and the machine may lack: Node and npm and Chromium from
Debian (as root), and Allure 3 (pinned) from the npm registry into a local prefix.

`python -m hachaos.report.nightly_tools --prefix DIR` prints one line per tool and the path of
the Allure binary last; exit 2 with one line when something cannot be installed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hachaos.report.allure_html import ALLURE_VERSION
from hachaos.usage import OneLineParser

APT_PACKAGES = {"node": ("nodejs",), "npm": ("npm",), "chromium": ("chromium",)}


class SetupError(Exception):
    """A tool could not be installed; the message says which and why."""


def _run(cmd: list[str], timeout_s: float) -> None:
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    done = subprocess.run(
        cmd, check=False, capture_output=True, text=True, env=env, timeout=timeout_s
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise SetupError(f"{' '.join(cmd[:3])} failed: {tail[0]}")


def apt_install(tools: list[str]) -> None:
    """apt-get install the Debian packages of `tools` (root on Debian only)."""
    if not tools:
        return
    packages = [p for t in tools for p in APT_PACKAGES[t]]
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SetupError(f"missing {', '.join(tools)}: install {' '.join(packages)}")
    _run(["apt-get", "update", "-q"], 300)
    _run(["apt-get", "install", "-y", "-q", *packages], 900)


def allure_binary(prefix: Path) -> Path:
    """Where the pinned Allure 3 lives under `prefix`."""
    return prefix / "node_modules" / ".bin" / "allure"


def installed_allure(prefix: Path) -> str | None:
    """The Allure version installed under `prefix`, if any."""
    package = prefix / "node_modules" / "allure" / "package.json"
    try:
        return str(json.loads(package.read_text())["version"])
    except (OSError, ValueError, KeyError):
        return None


def ensure_allure(prefix: Path) -> Path:
    """npm install allure@ALLURE_VERSION under `prefix` unless it is there already."""
    if installed_allure(prefix) != ALLURE_VERSION:
        prefix.mkdir(parents=True, exist_ok=True)
        npm = ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund"]
        _run([*npm, f"allure@{ALLURE_VERSION}"], 600)
    return allure_binary(prefix)


def main(argv: list[str] | None = None) -> int:
    """Install what is missing; print what is there."""
    parser = OneLineParser(prog="python -m hachaos.report.nightly_tools")
    parser.add_argument("--prefix", type=Path, default=Path(".tox/allure3"))
    args = parser.parse_args(argv)
    try:
        apt_install([t for t in APT_PACKAGES if shutil.which(t) is None])
        allure = ensure_allure(args.prefix)
    except (SetupError, subprocess.TimeoutExpired) as exc:
        print(f"nightly tools: {exc}", file=sys.stderr)
        return 2
    for tool in APT_PACKAGES:
        print(f"{tool}: {shutil.which(tool)}")
    print(f"allure {ALLURE_VERSION}: {allure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
