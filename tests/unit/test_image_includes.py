"""Images that include a directory of fixtures/ (e.g. an application's source) in their build
context: parsed from the Dockerfile, hashed, and tarred for the build."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from hachaos.errors import InfraError
from hachaos.images.catalog import load_catalog
from hachaos.images.hashing import content_hash, context_tar


@pytest.fixture
def fixtures(tmp_path: Path) -> Path:
    app = tmp_path / "apps" / "demo"
    (app / "pkg").mkdir(parents=True)
    (app / "pkg" / "main.py").write_text("print('hi')\n")
    (app / "pkg" / "__pycache__").mkdir()
    (app / "pkg" / "__pycache__" / "main.pyc").write_bytes(b"junk")
    img = tmp_path / "images" / "demo"
    img.mkdir(parents=True)
    (img / "Dockerfile").write_text(
        "ARG BASE=hachaos/tools:latest\nFROM ${BASE}\n# hachaos-include: apps/demo\n"
        "COPY apps/demo/ /opt/demo/\n"
    )
    (img / "run.sh").write_text("#!/bin/sh\n")
    (img / "run.sh").chmod(0o755)
    return tmp_path


def test_include_is_parsed(fixtures: Path) -> None:
    spec = load_catalog(fixtures / "images")["demo"]
    assert spec.parent == "tools"
    [inc] = spec.includes
    assert (inc.arcname, inc.source) == ("apps/demo", fixtures / "apps" / "demo")


def test_included_files_change_the_hash(fixtures: Path) -> None:
    spec = load_catalog(fixtures / "images")["demo"]
    before = content_hash(spec.context, "", "p", spec.includes)
    assert before != content_hash(spec.context, "", "p")  # the include counts
    (fixtures / "apps" / "demo" / "pkg" / "__pycache__" / "main.pyc").write_bytes(b"other")
    assert content_hash(spec.context, "", "p", spec.includes) == before  # caches do not
    (fixtures / "apps" / "demo" / "pkg" / "main.py").write_text("print('bye')\n")
    assert content_hash(spec.context, "", "p", spec.includes) != before


def test_tar_holds_context_and_include_with_modes(fixtures: Path) -> None:
    spec = load_catalog(fixtures / "images")["demo"]
    data = context_tar(spec.context, spec.includes)
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: m for m in tar.getmembers()}
    assert sorted(members) == ["Dockerfile", "apps/demo/pkg/main.py", "run.sh"]
    assert members["run.sh"].mode == 0o755
    assert members["apps/demo/pkg/main.py"].mode == 0o644
    assert data == context_tar(spec.context, spec.includes)  # reproducible


@pytest.mark.parametrize("bad", ["../outside", "/etc", "apps/missing", "Apps/demo"])
def test_bad_include_is_one_line_naming_the_dockerfile(fixtures: Path, bad: str) -> None:
    (fixtures / "images" / "demo" / "Dockerfile").write_text(f"FROM x\n# hachaos-include: {bad}\n")
    with pytest.raises(InfraError, match=r"demo/Dockerfile:2: hachaos-include") as err:
        load_catalog(fixtures / "images")
    assert "\n" not in str(err.value)


def test_repo_catalog_builds_the_apps_images_with_their_source() -> None:
    catalog = load_catalog()
    assert [i.arcname for i in catalog["appliance"].includes] == ["apps/appliance"]
    assert [i.arcname for i in catalog["quorum"].includes] == ["apps/quorum"]
    assert [i.arcname for i in catalog["platform"].includes] == ["apps/platform"]
    with_apps = {"appliance", "quorum", "platform"}
    assert all(not s.includes for n, s in catalog.items() if n not in with_apps)
