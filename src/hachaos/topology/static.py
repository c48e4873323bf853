"""Roles exactly as declared, limited to nodes that are running."""

from __future__ import annotations

from hachaos.node import Node
from hachaos.running import RunningStack
from hachaos.spec.models import Role


class StaticResolver:
    """Declared roles; a stopped node holds none."""

    def __init__(self, stack: RunningStack) -> None:
        self._stack = stack

    def holders(self, role: Role) -> list[Node]:
        """Running nodes declared with `role`."""
        return [n for n in self._stack.declared(role) if n.is_running()]
