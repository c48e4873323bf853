"""Conformance: every role the profile requires has nodes in the stack."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hachaos.plugin.conformance import Planned

pytestmark = pytest.mark.conformance
CONFORMANCE_GROUP = "roles"


def test_roles(conformance_check: Planned, hachaos_verify: Callable[[Planned], None]) -> None:
    hachaos_verify(conformance_check)
