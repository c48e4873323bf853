"""The generated nightly report, opened in headless Chromium as a person would open it.

Run by `tox -e nightly` after `hachaos report`; HACHAOS_REPORT_DIR, HACHAOS_CERTIFICATION and
HACHAOS_NIGHT_DIR point elsewhere when needed. The report is served over HTTP (Allure 3 loads its
data with fetch, which file:// URLs refuse) and each page's DOM is read after its scripts ran.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPORT = Path(os.environ.get("HACHAOS_REPORT_DIR", "reports/allure-report"))
CERTIFICATION = Path(os.environ.get("HACHAOS_CERTIFICATION", "reports/certification.json"))
HISTORY = Path(os.environ.get("HACHAOS_NIGHT_DIR", "reports/nightly")) / "allure-history.jsonl"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=15000",
    "--dump-dom",
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    assert (REPORT / "index.html").is_file(), f"{REPORT}: no generated report"
    handler = functools.partial(_Quiet, directory=str(REPORT))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()


def dom(url: str) -> str:
    """The page's DOM after its scripts ran, as headless Chromium sees it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "chromium is not installed (apt-get install chromium)"
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr[-500:]
    return done.stdout


def scenarios() -> list[str]:
    """Every scenario the night's certification record holds."""
    record = json.loads(CERTIFICATION.read_text())
    names = list(record["scenarios"])
    assert names, f"{CERTIFICATION}: no scenarios"
    return names


def results() -> dict[str, dict[str, object]]:
    """Scenario title → one of its results in the generated report (Allure's JSON)."""
    found: dict[str, dict[str, object]] = {}
    for path in sorted((REPORT / "data" / "test-results").glob("*.json")):
        data = json.loads(path.read_text())
        found.setdefault(data["name"], data)
    return found


def result_ids() -> dict[str, str]:
    """Scenario title → the id of one of its results in the generated report."""
    return {name: str(data["id"]) for name, data in results().items()}


def earlier_nights(history_id: str) -> int:
    """How many nights before this one ran the result with `history_id` (Allure's history file;
    its last line is this night's, appended by the generation just done)."""
    lines = [json.loads(line) for line in HISTORY.read_text().splitlines() if line.strip()]
    return sum(history_id in night["testResults"] for night in lines[:-1])


def test_overview_lists_every_scenario(base_url: str) -> None:
    page = dom(base_url)
    missing = [name for name in scenarios() if name not in page]
    assert not missing, f"not on the overview: {missing}"


def test_a_scenario_page_shows_verdict_table_and_timeline(base_url: str) -> None:
    name = scenarios()[0]
    page = dom(f"{base_url}#/{result_ids()[name]}")
    assert "hachaos-verdict" in page, "no verdict table on the scenario page"
    assert "recovery_time_s" in page or "measurement" in page
    assert re.search(r">timeline<.{0,400}image/png", page), "no timeline picture on the page"


def test_a_scenario_page_shows_its_earlier_nights(base_url: str) -> None:
    name = scenarios()[0]
    result = results()[name]
    earlier = earlier_nights(str(result["historyId"]))
    if not earlier:
        pytest.skip(f"first night of {name} in {HISTORY}: no history to show yet")
    page = dom(f"{base_url}#/{result['id']}/history")
    shown = page.count('history-item"')
    assert 1 <= shown <= earlier, f"{earlier} earlier night(s) in {HISTORY}, {shown} on the page"
