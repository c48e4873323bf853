"""Conformance: worker settings (endpoint, platform host, pool size, token = broker password)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hachaos.plugin.conformance import Planned

pytestmark = pytest.mark.conformance
CONFORMANCE_GROUP = "workers"


def test_workers(conformance_check: Planned, hachaos_verify: Callable[[Planned], None]) -> None:
    hachaos_verify(conformance_check)
