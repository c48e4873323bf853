"""The embedded proxy runs from copied source files: everything it imports must be copied."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import hachaos
from hachaos.backends.docker.links import _SITE, proxy_source_files


def hachaos_imports(source: str) -> set[str]:
    """The `hachaos.*` modules a file imports, as paths relative to the package."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            if name == "hachaos" or name.startswith("hachaos."):
                parts = name.split(".")[1:]
                found.add("/".join(parts) + ".py" if parts else "__init__.py")
    return found


def test_every_hachaos_module_the_proxy_imports_is_copied() -> None:
    files = proxy_source_files()
    copied = {path.removeprefix(f"{_SITE}/hachaos/") for path in files}
    wanted = set().union(*(hachaos_imports(text) for text in files.values()))
    package_modules = {w for w in wanted if not (Path(hachaos.__file__).parent / w).is_dir()}
    assert package_modules - copied == set()


def test_the_copied_proxy_starts_alone(tmp_path: Path) -> None:
    """Only the copied files on the path (as in its container): `--help` runs."""
    for path, text in proxy_source_files().items():
        target = tmp_path / path.removeprefix(f"{_SITE}/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    done = subprocess.run(
        [sys.executable, "-S", "-m", "hachaos.proxy", "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "python -m hachaos.proxy" in done.stdout
