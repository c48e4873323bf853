"""Conformance: the data's backups exist off the node and restore (a real tar round trip)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hachaos.plugin.conformance import Planned

pytestmark = pytest.mark.conformance
CONFORMANCE_GROUP = "backups"


def test_backups(conformance_check: Planned, hachaos_verify: Callable[[Planned], None]) -> None:
    hachaos_verify(conformance_check)
