"""Unit tests of image catalog ordering, content hashes and apt mirror parsing (no Docker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hachaos.errors import InfraError
from hachaos.images.catalog import build_order, load_catalog, parent_of
from hachaos.images.hashing import content_hash
from hachaos.images.sources import (
    DEFAULT_MIRROR,
    Mirror,
    machine_mirror,
    parse_deb822,
    parse_one_line,
    pick_mirror,
)


def _image(root: Path, name: str, base: str, extra: str = "") -> Path:
    ctx = root / name
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(f"ARG BASE={base}\nFROM ${{BASE}}\n{extra}")
    return ctx


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Path:
    _image(tmp_path, "tools", "debian:bookworm-slim")
    _image(tmp_path, "redis", "hachaos/tools:latest")
    _image(tmp_path, "postgres", "hachaos/tools:latest")
    _image(tmp_path, "pgproxy", "hachaos/postgres:latest")
    return tmp_path


# --- content hash -------------------------------------------------------------------------


def test_hash_is_stable(tmp_path: Path) -> None:
    ctx = _image(tmp_path, "x", "debian", "RUN true\n")
    assert content_hash(ctx, "sha256:base") == content_hash(ctx, "sha256:base")


def test_hash_ignores_mtime(tmp_path: Path) -> None:
    ctx = _image(tmp_path, "x", "debian")
    before = content_hash(ctx, "b")
    (ctx / "Dockerfile").touch()
    assert content_hash(ctx, "b") == before


@pytest.mark.parametrize("change", ["dockerfile", "new_file", "file_edit", "chmod", "rename"])
def test_hash_changes_with_context(tmp_path: Path, change: str) -> None:
    ctx = _image(tmp_path, "x", "debian")
    (ctx / "conf").write_text("a\n")
    before = content_hash(ctx, "b")
    if change == "dockerfile":
        (ctx / "Dockerfile").write_text("FROM other\n")
    elif change == "new_file":
        (ctx / "extra").write_text("")
    elif change == "file_edit":
        (ctx / "conf").write_text("b\n")
    elif change == "chmod":
        (ctx / "conf").chmod(0o755)
    else:
        (ctx / "conf").rename(ctx / "conf2")
    assert content_hash(ctx, "b") != before


def test_hash_changes_with_base_and_parent(tmp_path: Path) -> None:
    ctx = _image(tmp_path, "x", "debian")
    ref = content_hash(ctx, "base1", "p1")
    assert content_hash(ctx, "base2", "p1") != ref
    assert content_hash(ctx, "base1", "p2") != ref


def test_hash_ignores_pycache(tmp_path: Path) -> None:
    ctx = _image(tmp_path, "x", "debian")
    before = content_hash(ctx, "b")
    (ctx / "__pycache__").mkdir()
    (ctx / "__pycache__" / "m.pyc").write_bytes(b"\0")
    assert content_hash(ctx, "b") == before


# --- catalog and order --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parent"),
    [
        ("ARG BASE=hachaos/tools:latest\nFROM ${BASE}\n", "tools"),
        ("arg BASE=hachaos/tools\nFROM ${BASE}\n", "tools"),
        ("ARG BASE=debian:bookworm-slim\nFROM ${BASE}\n", None),
        ("FROM debian\n", None),
    ],
)
def test_parent_of(text: str, parent: str | None) -> None:
    assert parent_of(text) == parent


def test_order_puts_parents_first(catalog_dir: Path) -> None:
    names = [s.name for s in build_order(load_catalog(catalog_dir))]
    assert names.index("tools") == 0
    assert names.index("postgres") < names.index("pgproxy")
    assert sorted(names) == ["pgproxy", "postgres", "redis", "tools"]


def test_order_adds_ancestors_once(catalog_dir: Path) -> None:
    catalog = load_catalog(catalog_dir)
    names = [s.name for s in build_order(catalog, ["pgproxy", "redis", "tools"])]
    assert names == ["tools", "postgres", "pgproxy", "redis"]


def test_unknown_image_names_the_known_ones(catalog_dir: Path) -> None:
    with pytest.raises(InfraError, match="unknown image 'mysql'; known images: pgproxy"):
        build_order(load_catalog(catalog_dir), ["mysql"])


def test_cycle_is_reported(tmp_path: Path) -> None:
    _image(tmp_path, "a", "hachaos/b")
    _image(tmp_path, "b", "hachaos/a")
    with pytest.raises(InfraError, match="cycle"):
        build_order(load_catalog(tmp_path))


def test_shipped_catalog_builds_tools_first() -> None:
    order = [s.name for s in build_order(load_catalog())]
    assert order[0] == "tools"
    assert {"redis", "rabbitmq", "postgres", "haproxy"} <= set(order)


# --- apt sources --------------------------------------------------------------------------

DEB822 = """\
# comment
Types: deb deb-src
URIs: http://mirror.example/debian/
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main

Types: deb
Enabled: no
URIs: http://disabled.example/debian
Suites: bookworm
"""

ONE_LINE = """\
# deb http://commented.example/debian bookworm main
deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main  # trailing
deb-src http://src.example/debian bookworm main
deb https://one.example/debian-security bookworm-security main
"""


def test_parse_deb822() -> None:
    found = parse_deb822(DEB822)
    assert [s.uri for s in found] == [
        "http://mirror.example/debian/",
        "http://security.example/debian-security",
    ]
    assert found[0].suites == ("bookworm", "bookworm-updates")
    assert found[0].components == ("main", "contrib")


def test_parse_one_line() -> None:
    found = parse_one_line(ONE_LINE)
    assert [(s.uri, s.suites) for s in found] == [
        ("http://one.example/debian", ("bookworm",)),
        ("https://one.example/debian-security", ("bookworm-security",)),
    ]


def test_pick_mirror_deb822() -> None:
    mirror = pick_mirror(parse_deb822(DEB822))
    assert mirror == Mirror(
        "http://mirror.example/debian", "http://security.example/debian-security"
    )


def test_pick_mirror_skips_other_suites_and_schemes() -> None:
    found = parse_one_line("deb cdrom:/x bookworm main\ndeb http://old.example/d bullseye main\n")
    assert pick_mirror(found) == Mirror(DEFAULT_MIRROR, None)


def test_machine_mirror_reads_both_formats(tmp_path: Path) -> None:
    (tmp_path / "sources.list.d").mkdir()
    (tmp_path / "sources.list").write_text("# empty\n")
    (tmp_path / "sources.list.d" / "a.list").write_text(ONE_LINE)
    (tmp_path / "sources.list.d" / "b.sources").write_text(DEB822)
    (tmp_path / "sources.list.d" / "c.sources.disabled").write_text("garbage")
    assert machine_mirror("bookworm", tmp_path).uri == "http://one.example/debian"


def test_sources_list_for_rootfs() -> None:
    text = Mirror("http://m/debian", "http://s/debian-security").sources_list("bookworm")
    assert text.splitlines() == [
        "deb http://m/debian bookworm main",
        "deb http://m/debian bookworm-updates main",
        "deb http://s/debian-security bookworm-security main",
    ]


# --- image presence (the backend's check) --------------------------------------------------


class FakeApi:
    """Just enough of docker.APIClient for image presence: a dict of local images."""

    def __init__(self, images: dict[str, dict[str, str]]) -> None:
        self.images = images

    def inspect_image(self, ref: str) -> dict[str, object]:
        from docker.errors import ImageNotFound

        if ref not in self.images:
            raise ImageNotFound(ref)
        return {"Id": f"sha256:{ref}", "Config": {"Labels": self.images[ref]}}


def test_missing_image_names_the_build_command() -> None:
    from hachaos.backends.docker.images import require_images
    from hachaos.errors import ImageMissing

    api = FakeApi({"hachaos/tools:latest": {}})
    with pytest.raises(ImageMissing) as err:
        require_images(api, {"hachaos/redis:latest"})  # type: ignore[arg-type]
    assert str(err.value) == (
        "image hachaos/redis:latest is not present; run: hachaos images build redis"
    )
    with pytest.raises(ImageMissing, match="build or pull it on this engine"):
        require_images(api, {"example/app:1"})  # type: ignore[arg-type]


def test_present_image_passes_even_if_stale() -> None:
    from hachaos.backends.docker.images import require_images

    require_images(FakeApi({"hachaos/redis:latest": {}}), {"hachaos/redis:latest"})  # type: ignore[arg-type]


def test_context_elsewhere_is_hashed_with_its_dockerfile(tmp_path: Path) -> None:
    from hachaos.errors import InfraError
    from hachaos.images.hashing import content_hash

    images, app = tmp_path / "images", tmp_path / "apps" / "web"
    (images / "web").mkdir(parents=True)
    app.mkdir(parents=True)
    (app / "main.py").write_text("print('hi')\n")
    dockerfile = images / "web" / "Dockerfile"
    dockerfile.write_text("# hachaos-context: ../../apps/web\nARG BASE=hachaos/tools:latest\n")
    spec = load_catalog(images)["web"]
    assert (spec.context, spec.dockerfile, spec.parent) == (app.resolve(), dockerfile, "tools")
    before = content_hash(spec.context, "", "p", spec.extra_files())
    dockerfile.write_text(dockerfile.read_text() + "RUN true\n")
    assert content_hash(spec.context, "", "p", spec.extra_files()) != before
    dockerfile.write_text("# hachaos-context: ../../../outside\n")
    with pytest.raises(InfraError, match="is not a directory under"):
        load_catalog(images)
