"""After a failover, the killed master comes back as a replica of the new one (no split brain)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import redis

from hachaos.clock import wait_until
from hachaos.faults.node_faults import KillFault
from hachaos.running import RunningStack
from hachaos.spec.models import Role
from hachaos.topology.redis_sentinel import RedisSentinelResolver

pytestmark = [pytest.mark.chaos, pytest.mark.integration]


def role_of(stack: RunningStack, node: str) -> str:
    host, port = stack.node(node).address().host_port(6379)
    return str(redis.Redis(host=host, port=port, socket_timeout=0.5).info("replication")["role"])


def test_old_master_rejoins_as_replica(hachaos_stack: Callable[[str], RunningStack]) -> None:
    stack = hachaos_stack("redis-sentinel")
    sentinels = RedisSentinelResolver(stack)
    old = sentinels.master()
    with KillFault(old) as fault:
        assert fault.effective
        new = wait_until(
            sentinels.master,
            lambda n: n.name != old.name,
            what="Sentinels elect a new master",
            timeout_s=20,
            interval_s=0.2,
        )
    # revert started the old master again: Sentinel must demote it to a replica of the new one
    wait_until(
        lambda: role_of(stack, old.name),
        lambda r: r == "slave",
        what=f"{old.name} rejoins as replica",
        timeout_s=30,
        interval_s=0.2,
    )
    assert role_of(stack, new.name) == "master"
    assert old.name in {n.name for n in sentinels.holders(Role.REPLICA)}
