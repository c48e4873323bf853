"""Field types of conformance profiles: paths, regular expressions, command lines, setting
names, and role keys (`ROLE`, or `NS.ROLE` for the nodes of an included stack) with the nodes
a key selects."""

from __future__ import annotations

import posixpath
from typing import Annotated

from pydantic import AfterValidator, Field

from hachaos.spec.models import NAME_RE, Port, Role, StackSpec, short

Ports = tuple[Port, ...]


def _abs_path(path: str) -> str:
    """An absolute, normalised path ('/' allowed): a mount point to measure."""
    if not path.startswith("/") or posixpath.normpath(path) != path or path.startswith("//"):
        raise ValueError(f"path {short(path)} must be absolute and normalised")
    return path


def _glob_path(path: str) -> str:
    """An absolute path that may hold `*` / `?` wildcards and `{node}`; no '..'."""
    bad = not path.startswith("/") or ".." in path.split("/") or len(path) > 4096
    if bad or any(c.isspace() for c in path):
        raise ValueError(f"path {short(path)} must be absolute, without '..' or whitespace")
    return path


def _role_key(key: str) -> str:
    """`ROLE`, or `NAMESPACE.ROLE` for the nodes of that role in an included stack."""
    namespace, _, role = key.rpartition(".")
    roles = {r.value for r in Role}
    if role not in roles or (namespace and NAME_RE.fullmatch(namespace) is None):
        raise ValueError(
            f"{short(key)} is not a role ({', '.join(sorted(roles))}) or NAMESPACE.ROLE"
        )
    return key


def select(key: str, spec: StackSpec) -> list[str]:
    """Nodes a role key names: every node of the role; with `NS.`, those of the stack
    included as NS, or the stack's own nodes when NS is the stack's name."""
    namespace, _, role = key.rpartition(".")
    if not namespace:
        part: StackSpec | None = spec
    elif namespace == spec.name:
        part = spec.own()
    else:
        part = spec.parts.get(namespace)
    if part is None:
        return []
    return [n for n, s in part.nodes.items() if s.role.value == role and n in spec.nodes]


AbsPath = Annotated[str, AfterValidator(_abs_path)]
RoleKey = Annotated[str, AfterValidator(_role_key)]
GlobPath = Annotated[str, AfterValidator(_glob_path)]
Argv = Annotated[tuple[Annotated[str, Field(max_length=4096)], ...], Field(min_length=1)]
Setting = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,127}$")]
