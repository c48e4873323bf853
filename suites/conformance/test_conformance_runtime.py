"""Conformance: a supported container runtime and storage driver; the port bindings."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hachaos.plugin.conformance import Planned

pytestmark = pytest.mark.conformance
CONFORMANCE_GROUP = "runtime"


def test_runtime(conformance_check: Planned, hachaos_verify: Callable[[Planned], None]) -> None:
    hachaos_verify(conformance_check)
