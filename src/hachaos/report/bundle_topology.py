"""The topology as the running system sees it now, for a support bundle: per stack (and per
included stack) who holds each role, asked of the topology's resolver (Patroni, Sentinel,
RabbitMQ), or the roles as declared for a static stack."""

from __future__ import annotations

from hachaos.running import RunningStack
from hachaos.spec.models import Role
from hachaos.topology import resolver_for

LIVE_ROLES: dict[str, tuple[Role, ...]] = {
    "patroni": (Role.PRIMARY, Role.REPLICA),
    "redis-sentinel": (Role.MASTER, Role.REPLICA),
    "rabbitmq": (Role.PRIMARY, Role.RABBIT),
}


def _holders(view: RunningStack, role: Role) -> str:
    try:
        names = [node.name for node in resolver_for(view).holders(role)]
    except Exception as exc:  # what could not be asked is part of the picture
        return f"unknown ({type(exc).__name__}: {exc})"
    return ", ".join(names) or "none"


def _view_lines(view: RunningStack) -> list[str]:
    kind = view.spec.topology.kind
    roles = LIVE_ROLES.get(kind)
    head = f"{view.spec.name} ({kind})"
    if roles is None:
        declared = sorted({s.role.value for s in view.spec.nodes.values()})
        return [
            f"{head} {role}: {', '.join(view.spec.nodes_with_role(Role(role)))} (as declared)"
            for role in declared
        ]
    return [f"{head} {role} now: {_holders(view, role)}" for role in roles]


def topology_now(stack: RunningStack) -> str:
    """One line per stack view and role: who holds it now."""
    lines = [f"run {stack.run_id} on {stack.backend}"]
    for view in stack.views():
        lines.extend(_view_lines(view))
    return "\n".join(lines) + "\n"
