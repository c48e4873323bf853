"""Conformance: replication and quorum health (Postgres, Redis Sentinel, RabbitMQ, etcd, ...)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from hachaos.plugin.conformance import Planned

pytestmark = pytest.mark.conformance
CONFORMANCE_GROUP = "replication"


def test_replication(conformance_check: Planned, hachaos_verify: Callable[[Planned], None]) -> None:
    hachaos_verify(conformance_check)
