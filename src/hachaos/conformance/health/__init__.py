"""Replication and quorum health checks, one module per kind of system; the profile's `health`
list says which apply."""

from __future__ import annotations

from typing import assert_never

from hachaos.conformance.check import Check
from hachaos.conformance.health.etcd import plan_etcd
from hachaos.conformance.health.generic import plan_command, plan_quorum_size
from hachaos.conformance.health.postgres import plan_postgres
from hachaos.conformance.health.rabbitmq import plan_rabbitmq
from hachaos.conformance.health.redis import plan_redis
from hachaos.conformance.health_spec import (
    Command,
    Etcd,
    Health,
    PostgresStreaming,
    QuorumSize,
    RabbitMQ,
    RedisSentinel,
)
from hachaos.conformance.profile import Profile
from hachaos.spec.models import StackSpec


def plan_health(spec: Health, stack: StackSpec) -> list[Check]:
    """The checks of one `health` entry."""
    match spec:  # exhaustive: a new kind without its planner fails type checking
        case PostgresStreaming():
            return plan_postgres(spec, stack)
        case RedisSentinel():
            return plan_redis(spec, stack)
        case RabbitMQ():
            return plan_rabbitmq(spec, stack)
        case Etcd():
            return plan_etcd(spec, stack)
        case QuorumSize():
            return plan_quorum_size(spec, stack)
        case Command():
            return plan_command(spec, stack)
        case _:
            assert_never(spec)


def plan_replication(profile: Profile, stack: StackSpec) -> list[Check]:
    """Every `health` entry's checks, in the profile's order."""
    return [check for spec in profile.health for check in plan_health(spec, stack)]
