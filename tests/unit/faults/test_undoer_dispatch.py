"""Undoer.undo hands each undo record to the handler of its kind (no Docker, no proxy)."""

from __future__ import annotations

import pytest

from hachaos.reaper.actions import Undoer
from hachaos.reaper.undo import (
    DeleteRules,
    EnableProxy,
    Reconnect,
    RemoveToxic,
    StartContainer,
    Undo,
    Unpause,
)

HANDLERS: list[tuple[Undo, str]] = [
    (Unpause("c1"), "_unpause"),
    (StartContainer("c2"), "_start"),
    (DeleteRules(("c1",), "hachaos:hc-1:p-1"), "_rules"),
    (RemoveToxic("http://tp", "redis", "hachaos:hc-1:l-1"), "_toxic"),
    (EnableProxy("http://tp", "redis"), "_enable"),
    (Reconnect("net", "c3", ("n3",), "172.18.0.4"), "_reconnect"),
]


@pytest.mark.parametrize(("undo", "handler"), HANDLERS, ids=lambda x: getattr(x, "kind", x))
def test_each_undo_kind_reaches_its_handler(
    undo: Undo, handler: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    undoer = Undoer("hc-1", api_factory=lambda: pytest.fail("no engine call expected"))
    for name in {h for _, h in HANDLERS}:
        monkeypatch.setattr(undoer, name, lambda u, name=name: f"{name} {u.kind}")
    assert undoer.undo(undo) == f"{handler} {undo.kind}"
