"""The backend seam, enforced: an AST scan of every module under src/hachaos.

- The Docker SDK is imported only by the Docker backend and by image building.
- The Docker backend's own modules are imported only by themselves, image building and doctor
  (which provisions the engine); everything else reaches Docker through `hachaos.backends`.
- Topology resolvers, probes, workloads (ledgers), checkers and clients import no backend at all:
  they see only nodes, links and capabilities.

Every import counts: top-level, lazy inside functions, under TYPE_CHECKING, relative, and
`importlib.import_module("...")` / `__import__("...")` with a literal name.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import hachaos

SRC = Path(hachaos.__file__).resolve().parent
DYNAMIC = {"import_module", "__import__"}


def module_name(path: Path) -> str:
    """`hachaos.faults.partition` for src/hachaos/faults/partition.py (packages: no __init__)."""
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _base(module: str, is_package: bool, level: int) -> str:
    package = module if is_package else module.rpartition(".")[0]
    for _ in range(level - 1):
        package = package.rpartition(".")[0]
    return package


def imports(source: str, module: str, is_package: bool = False) -> Iterator[tuple[int, str]]:
    """(line, dotted module name) of every import in `source`, wherever it appears."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(p for p in (_base(module, is_package, node.level), base) if p)
            yield node.lineno, base
            yield from ((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.Call) and _dynamic_name(node) is not None:
            yield node.lineno, str(_dynamic_name(node))


def _dynamic_name(call: ast.Call) -> str | None:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in DYNAMIC or not call.args:
        return None
    arg = call.args[0]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def within(name: str, package: str) -> bool:
    """`name` is `package` or one of its submodules."""
    return name == package or name.startswith(f"{package}.")


def violations(forbidden: str, allowed: tuple[str, ...], scope: tuple[str, ...] = ("hachaos",)):
    """`file:line imports X` for every import of `forbidden` from a module in `scope` that is
    not in one of the `allowed` packages."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        module = module_name(path)
        if not any(within(module, s) for s in scope) or any(within(module, a) for a in allowed):
            continue
        for line, name in imports(path.read_text(), module, path.name == "__init__.py"):
            if within(name, forbidden):
                found.append(f"{path.relative_to(SRC.parent)}:{line} imports {name}")
    return sorted(set(found))


def test_only_the_docker_backend_and_image_building_import_the_docker_sdk() -> None:
    assert violations("docker", ("hachaos.backends.docker", "hachaos.images")) == []


def test_only_the_backend_images_and_doctor_import_docker_backend_modules() -> None:
    allowed = ("hachaos.backends.docker", "hachaos.images", "hachaos.doctor")
    assert violations("hachaos.backends.docker", allowed) == []


@pytest.mark.parametrize(
    "package",
    [
        "hachaos.topology",
        "hachaos.probes",
        "hachaos.workloads",
        "hachaos.checks",
        "hachaos.clients",
    ],
)
def test_resolvers_probes_ledgers_and_checkers_import_no_backend(package: str) -> None:
    assert violations("hachaos.backends", (), scope=(package,)) == []


SNEAKY = """
from __future__ import annotations
from typing import TYPE_CHECKING
import importlib
import docker.utils as du
if TYPE_CHECKING:
    import docker
def later():
    from docker.errors import NotFound
    return importlib.import_module("docker.types"), __import__("docker")
from . import labels
from ..docker import node
"""


def test_the_scan_sees_every_kind_of_import() -> None:
    found = list(imports(SNEAKY, "hachaos.backends.docker.x"))
    docker_sdk = sorted({line for line, name in found if within(name, "docker")})
    assert docker_sdk == [5, 7, 9, 10]  # aliased, TYPE_CHECKING, lazy, import_module/__import__
    assert len([name for line, name in found if line == 10]) == 2
    names = {name for _, name in found}
    assert {"hachaos.backends.docker.labels", "hachaos.backends.docker.node"} <= names


def test_the_scan_resolves_relative_imports_of_a_package() -> None:
    found = {name for _, name in imports("from . import engine", "hachaos.backends.docker", True)}
    assert "hachaos.backends.docker.engine" in found


def test_every_module_is_scanned() -> None:
    modules = {module_name(p) for p in SRC.rglob("*.py")}
    assert {"hachaos.faults.partition", "hachaos.reaper.actions", "hachaos.doctor"} <= modules
