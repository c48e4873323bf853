"""The Allure `scenario` label the report groups by: one row per scenario and matrix point."""

from __future__ import annotations

from types import SimpleNamespace

import allure
import pytest

from hachaos.report.allure_events import SCENARIO_LABEL, label_scenario


def _item(name: str, label: str) -> SimpleNamespace:
    spec = SimpleNamespace(name=name, description="")
    loaded = SimpleNamespace(label=label, spec=spec, stack=SimpleNamespace(name="quorum"))
    return SimpleNamespace(loaded=loaded)


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("quorum-lose-majority", "quorum-lose-majority[size=3]"),
        ("redis-sentinel-kill-master", "redis-sentinel-kill-master"),
    ],
)
def test_the_scenario_label_is_the_point_not_the_matrix(
    monkeypatch: pytest.MonkeyPatch, name: str, label: str
) -> None:
    labels: list[tuple[str, str]] = []
    monkeypatch.setattr(allure.dynamic, "label", lambda k, *vs: labels.extend((k, v) for v in vs))
    monkeypatch.setattr(allure.dynamic, "title", lambda _: None)
    monkeypatch.setattr(allure.dynamic, "suite", lambda _: None)
    label_scenario(_item(name, label))
    assert labels == [(SCENARIO_LABEL, label)]
