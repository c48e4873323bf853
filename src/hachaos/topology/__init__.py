"""Who holds a role now: resolved at fault time from the running system, not from the spec."""

from __future__ import annotations

from hachaos.running import RunningStack
from hachaos.topology.appliance import ApplianceResolver
from hachaos.topology.base import RoleResolver
from hachaos.topology.patroni import PatroniResolver
from hachaos.topology.quorum import QuorumResolver
from hachaos.topology.rabbitmq import RabbitMQResolver
from hachaos.topology.redis_sentinel import RedisSentinelResolver
from hachaos.topology.static import StaticResolver


def resolver_for(stack: RunningStack) -> RoleResolver:
    """The resolver the stack's topology declares; for a composed stack, over its own nodes
    (an included stack's roles are resolved on `stack.part(namespace)`)."""
    stack = stack.own()
    if stack.spec.topology.kind == "redis-sentinel":
        return RedisSentinelResolver(stack)
    if stack.spec.topology.kind == "patroni":
        return PatroniResolver(stack)
    if stack.spec.topology.kind == "rabbitmq":
        return RabbitMQResolver(stack)
    if stack.spec.topology.kind == "appliance":
        return ApplianceResolver(stack)
    if stack.spec.topology.kind == "quorum":
        return QuorumResolver(stack)
    return StaticResolver(stack)


__all__ = ["RoleResolver", "resolver_for"]
