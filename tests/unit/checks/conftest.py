"""Fixtures for checker tests; the history builder lives in tests/unit/helpers/histbuilder.py."""

from __future__ import annotations

import pytest
from histbuilder import Timeline


@pytest.fixture
def tl() -> Timeline:
    """A fresh synthetic history timeline."""
    return Timeline()
