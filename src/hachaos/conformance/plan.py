"""Which checks a profile asks of a stack, by group: decided from the stack spec and the
profile alone (nothing connects), so pytest can collect one test per check."""

from __future__ import annotations

from collections.abc import Callable

from hachaos.conformance.backups import plan_backups
from hachaos.conformance.check import Check
from hachaos.conformance.hardware import plan_hardware
from hachaos.conformance.health import plan_replication
from hachaos.conformance.network import plan_network, plan_roles
from hachaos.conformance.profile import Profile
from hachaos.conformance.runtime import plan_runtime
from hachaos.conformance.workers import plan_workers
from hachaos.errors import HachaosError
from hachaos.spec.models import StackSpec

Planner = Callable[[Profile, StackSpec], list[Check]]

GROUPS: dict[str, Planner] = {
    "roles": plan_roles,
    "network": plan_network,
    "hardware": plan_hardware,
    "workers": plan_workers,
    "replication": plan_replication,
    "backups": plan_backups,
    "runtime": plan_runtime,
}


def plan(profile: Profile, spec: StackSpec, group: str | None = None) -> list[Check]:
    """The checks of `group` (every group when None), in a stable order."""
    if group is not None and group not in GROUPS:
        raise HachaosError(f"unknown conformance group '{group}' (known: {', '.join(GROUPS)})")
    groups = [group] if group is not None else list(GROUPS)
    return [check for g in groups for check in GROUPS[g](profile, spec)]
