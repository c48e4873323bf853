"""The proxy node counts as ready once populated: an API that does not answer yet is retried."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from hachaos.backends.docker import boot
from hachaos.backends.docker.boot import DockerBooter
from hachaos.backends.docker.links import PROXY_NODE, with_proxy_node
from hachaos.backends.docker.reach import Reach
from hachaos.clock import FakeClock
from hachaos.proxy.client import InvalidRequest, ToxiproxyUnavailable
from hachaos.spec.loader import load_stack

STACK = Path(__file__).resolve().parents[2] / "fixtures" / "stacks" / "active-passive.yaml"


def booter() -> DockerBooter:
    stack = with_proxy_node(load_stack(STACK))
    api: Any = None
    return DockerBooter(
        api, stack, "hc-test", "net", reach=Reach.PUBLISHED, tls=None, clock=FakeClock()
    )


def answers_after(failures: list[Exception]) -> Any:
    calls: list[object] = []

    def populate(_stack: object) -> None:
        calls.append(_stack)
        if failures:
            raise failures.pop(0)

    populate.calls = calls  # type: ignore[attr-defined]
    return populate


def test_populated_once_the_api_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = answers_after([ToxiproxyUnavailable("connection reset")] * 3)
    monkeypatch.setattr(boot, "populate", fake)
    assert booter()._populated(PROXY_NODE, object(), 5.0, threading.Event()) is None  # type: ignore[arg-type]
    assert len(fake.calls) == 4


def test_an_api_never_answering_is_named_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = answers_after([ToxiproxyUnavailable("connection refused")] * 1000)
    monkeypatch.setattr(boot, "populate", fake)
    why = booter()._populated(PROXY_NODE, object(), 1.0, threading.Event())  # type: ignore[arg-type]
    assert why is not None
    assert why.startswith("not ready after 1.0s (populating its links: ")
    assert "connection refused" in why


def test_links_the_proxy_refuses_are_raised_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = answers_after([InvalidRequest("bad upstream", 400)])
    monkeypatch.setattr(boot, "populate", fake)
    with pytest.raises(InvalidRequest, match="bad upstream"):
        booter()._populated(PROXY_NODE, object(), 5.0, threading.Event())  # type: ignore[arg-type]
    assert len(fake.calls) == 1
