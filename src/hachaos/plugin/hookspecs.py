"""Hooks hachaos adds to pytest, so reporters can subscribe without the core knowing them."""

from __future__ import annotations

from typing import Any

import pytest

from hachaos.events import EventBus


@pytest.hookspec
def pytest_hachaos_bus_created(item: pytest.Item, bus: EventBus) -> Any:
    """Called with each scenario's event bus before it runs; subscribe reporters here."""
