"""Generate the HTML report with Allure 3: history carried in a JSONL file, analytics off.

Allure 3 keeps history in the file its `historyPath` setting names (it writes no `history/`
folder) and reads our `*-perf.json` metrics. Its report templates embed an analytics script;
`ALLURE_NO_ANALYTICS` only reaches some of them, so the generated HTML is also stripped of it.
Allure writes into its output folder without emptying it, so each report is generated into a
fresh folder that then replaces the previous one: no file of an earlier night is left behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from hachaos.errors import InfraError

ALLURE_VERSION = "3.18.0"
_ANALYTICS = re.compile(
    r"<script[^>]*googletagmanager[^>]*>\s*</script>\s*<script>[^<]*gtag\([^<]*</script>",
    re.DOTALL,
)


@dataclass(frozen=True)
class Generated:
    """Where the report went and how long Allure took."""

    output: Path
    seconds: float


def allure_config(output: Path, history: Path, name: str) -> dict[str, object]:
    """The allurerc for one night: output, history file, the awesome report."""
    return {
        "name": name,
        "output": str(output.resolve()),
        "historyPath": str(history.resolve()),
        # grouped by the `scenario` label: the overview lists every scenario by name (with its
        # repeats inside), not a collapsed tree of folders
        "plugins": {
            "awesome": {
                "options": {"reportName": name, "singleFile": False, "groupBy": ["scenario"]}
            }
        },
    }


def strip_analytics(output: Path) -> int:
    """Remove the analytics script from every generated HTML page; how many were removed."""
    removed = 0
    for page in output.rglob("*.html"):
        text = page.read_text()
        cleaned, n = _ANALYTICS.subn("", text)
        if n:
            page.write_text(cleaned)
            removed += n
    return removed


def generate(
    allure: str, results: Path, output: Path, history: Path, name: str, *, timeout_s: float = 300
) -> Generated:
    """Run `allure generate` into a fresh folder that replaces `output`; InfraError (one line)
    when it fails or is missing (the previous report is then left as it was)."""
    history.parent.mkdir(parents=True, exist_ok=True)
    config = output.parent / f".{output.name}.allurerc.json"
    staging = output.parent / f".{output.name}.new"
    shutil.rmtree(staging, ignore_errors=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(json.dumps(allure_config(staging, history, name), indent=2))
    env = {**os.environ, "ALLURE_NO_ANALYTICS": "true"}
    cmd = [allure, "generate", str(results), "--config", str(config), "--output", str(staging)]
    started = time.monotonic()
    try:
        done = subprocess.run(
            cmd, check=False, capture_output=True, text=True, env=env, timeout=timeout_s
        )
    except FileNotFoundError:
        raise InfraError(f"{allure}: not found; install Allure 3 (npm install allure)") from None
    except subprocess.TimeoutExpired:
        raise InfraError(f"allure generate took longer than {timeout_s:g}s") from None
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise InfraError(f"allure generate failed ({done.returncode}): {last[0]}")
    seconds = time.monotonic() - started
    strip_analytics(staging)
    shutil.rmtree(output, ignore_errors=True)
    staging.rename(output)
    return Generated(output, seconds)
