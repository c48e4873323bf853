"""The machine's Debian mirror, read from its apt sources (one-line and deb822 formats)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MIRROR = "http://deb.debian.org/debian"
APT_DIR = Path("/etc/apt")


@dataclass(frozen=True)
class AptSource:
    """One `deb` entry: a repository URI with its suites and components."""

    uri: str
    suites: tuple[str, ...]
    components: tuple[str, ...]


@dataclass(frozen=True)
class Mirror:
    """Where a debootstrap of `suite` downloads from, plus the security archive if one is set."""

    uri: str
    security_uri: str | None = None

    def sources_list(self, suite: str) -> str:
        """A one-line sources.list for a rootfs bootstrapped from this mirror."""
        lines = [f"deb {self.uri} {suite} main", f"deb {self.uri} {suite}-updates main"]
        if self.security_uri:
            lines.append(f"deb {self.security_uri} {suite}-security main")
        return "\n".join(lines) + "\n"


def parse_one_line(text: str) -> list[AptSource]:
    """Entries of a one-line-style file: `deb [opts] URI SUITE COMPONENT...`."""
    found = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line.startswith("deb "):
            continue
        rest = line[4:].strip()
        if rest.startswith("["):
            rest = rest.split("]", 1)[1] if "]" in rest else ""
        words = rest.split()
        if len(words) >= 2:
            found.append(AptSource(words[0], (words[1],), tuple(words[2:])))
    return found


def parse_deb822(text: str) -> list[AptSource]:
    """Entries of a deb822 `.sources` file (stanzas separated by blank lines)."""
    found = []
    for stanza in _stanzas(text):
        if "deb" not in stanza.get("types", "").split():
            continue
        if stanza.get("enabled", "yes").lower() == "no":
            continue
        comps = tuple(stanza.get("components", "").split())
        for uri in stanza.get("uris", "").split():
            found.append(AptSource(uri, tuple(stanza.get("suites", "").split()), comps))
    return found


def _stanzas(text: str) -> Iterator[dict[str, str]]:
    fields: dict[str, str] = {}
    key = ""
    for raw in [*text.splitlines(), ""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if fields:
                yield fields
            fields, key = {}, ""
        elif raw[0] in " \t" and key:
            fields[key] += " " + raw.strip()
        elif ":" in raw:
            key, value = raw.split(":", 1)
            key = key.strip().lower()
            fields[key] = value.strip()


def read_sources(apt_dir: Path = APT_DIR) -> list[AptSource]:
    """Every enabled `deb` entry of the machine, main file first."""
    found = []
    main = apt_dir / "sources.list"
    if main.is_file():
        found += parse_one_line(main.read_text())
    parts = apt_dir / "sources.list.d"
    for path in sorted(parts.glob("*")) if parts.is_dir() else []:
        if path.suffix == ".list":
            found += parse_one_line(path.read_text())
        elif path.suffix == ".sources":
            found += parse_deb822(path.read_text())
    return found


def pick_mirror(sources: Iterable[AptSource], suite: str = "bookworm") -> Mirror:
    """The first http(s) entry carrying `suite`, and the one carrying `<suite>-security`."""
    sources = [s for s in sources if s.uri.startswith(("http://", "https://"))]
    main = next((s.uri for s in sources if suite in s.suites), DEFAULT_MIRROR)
    security = next((s.uri for s in sources if f"{suite}-security" in s.suites), None)
    return Mirror(main.rstrip("/"), security.rstrip("/") if security else None)


def machine_mirror(suite: str = "bookworm", apt_dir: Path = APT_DIR) -> Mirror:
    """The mirror this machine's apt uses for `suite` (deb.debian.org when none is found)."""
    return pick_mirror(read_sources(apt_dir), suite)
