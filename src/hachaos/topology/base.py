"""The role-resolver interface."""

from __future__ import annotations

from typing import Protocol

from hachaos.node import Node
from hachaos.spec.models import Role


class RoleResolver(Protocol):
    """Answers "which nodes hold `role` right now"."""

    def holders(self, role: Role) -> list[Node]:
        """Running nodes currently holding `role` (may be empty)."""
        ...
