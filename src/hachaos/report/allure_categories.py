"""Allure `categories.json`: SUT failure, split brain, inconclusive and infrastructure apart.

Allure matches `messageRegex` against the result's message, which allure-pytest writes as
`module.ExceptionName: text`. Java (Allure 2) requires the regex to match the whole message,
JavaScript (Allure 3) searches it; `[\\s\\S]*` on both ends works for both and spans lines.
The categories are mutually exclusive so each result lands in exactly one.
"""

from __future__ import annotations

import json
from pathlib import Path

_ANY = r"[\s\S]*"
SPLIT_BRAIN = rf"{_ANY}ScenarioFailed: FAIL{_ANY}\[split-brain\]{_ANY}"
SUT_FAILURE = rf"^(?!{_ANY}\[split-brain\]){_ANY}ScenarioFailed: FAIL{_ANY}$"
INCONCLUSIVE = rf"{_ANY}ScenarioInconclusive: INCONCLUSIVE{_ANY}"

CATEGORIES: list[dict[str, object]] = [
    {
        "name": "Split brain (two primaries acknowledged writes)",
        "matchedStatuses": ["failed"],
        "messageRegex": SPLIT_BRAIN,
    },
    {
        "name": "System under test failed its budget",
        "matchedStatuses": ["failed"],
        "messageRegex": SUT_FAILURE,
    },
    {
        "name": "Inconclusive (could not be judged: never a pass)",
        "matchedStatuses": ["failed", "skipped"],
        "messageRegex": INCONCLUSIVE,
    },
    {
        "name": "Infrastructure (boot, image, engine, client setup)",
        "matchedStatuses": ["broken"],
    },
]


def write_categories(results_dir: Path) -> Path:
    """Write categories.json into an Allure results folder; returns its path."""
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / "categories.json"
    path.write_text(json.dumps(CATEGORIES, indent=2) + "\n")
    return path
