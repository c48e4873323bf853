"""What the host itself needs for the main command, and which Debian package brings each.

The one list of host requirements: `hachaos doctor` checks it and `hachaos doctor --fix`
installs what is missing from it; `.ci/run` provisions through `doctor --fix`, so there is no
second list that can drift.
"""

from __future__ import annotations

import enum
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class Need(enum.Enum):
    """When a host tool is needed at all."""

    ENGINE = "to start a local Docker engine"
    BASE = "to build the Debian base image when no registry answers"


@dataclass(frozen=True)
class HostTool:
    """One host requirement: found as a command on PATH or as a file, installed by `package`."""

    name: str
    package: str
    need: Need
    command: str | None = None
    path: str | None = None

    def location(self) -> str | None:
        """Where the tool was found, or None when it is missing."""
        if self.command is not None:
            return shutil.which(self.command)
        if self.path is not None and Path(self.path).is_file():
            return self.path
        return None


HOST_TOOLS = (
    HostTool("dockerd", "docker.io", Need.ENGINE, command="dockerd"),
    HostTool("iptables", "iptables", Need.ENGINE, command="iptables"),
    HostTool("debootstrap", "debootstrap", Need.BASE, command="debootstrap"),
    HostTool(
        "debian-archive-keyring",
        "debian-archive-keyring",
        Need.BASE,
        path="/usr/share/keyrings/debian-archive-keyring.gpg",
    ),
    HostTool("gpgv", "gpgv", Need.BASE, command="gpgv"),
)


def missing_tools(tools: Iterable[HostTool] = HOST_TOOLS) -> tuple[str, ...]:
    """Names of the host tools that are not installed."""
    return tuple(t.name for t in tools if t.location() is None)


def tool(name: str) -> HostTool:
    """The host tool called `name`."""
    return next(t for t in HOST_TOOLS if t.name == name)


def packages_for(names: Iterable[str]) -> tuple[str, ...]:
    """The Debian packages that install the named tools, each once, in table order."""
    wanted = set(names)
    return tuple(dict.fromkeys(t.package for t in HOST_TOOLS if t.name in wanted))
