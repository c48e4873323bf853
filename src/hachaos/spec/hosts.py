"""The parts of a stack file that describe an existing deployment (`backend: hosts`): how each
node's host is reached (a testinfra connection string), how its service is found, stopped and
started, and the SSH settings shared by every host.

Nothing here ever holds a secret: a password in a connection string is refused (it would end up
in journals and reports); hosts are reached with a key file named by path.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMES = ("ssh", "paramiko", "docker", "local")
HOST_OPTIONS = ("ssh_identity_file", "sudo")
MAX_HOST = 400
MAX_PATTERN = 300
UNIT_RE = re.compile(r"[A-Za-z0-9@._:\\-]{1,200}")
PROGRAM_RE = re.compile(r"[A-Za-z0-9._:-]{1,100}")
NETLOC_RE = re.compile(r"(?:(?P<user>[A-Za-z0-9._-]{1,64})@)?(?P<host>[A-Za-z0-9.\[\]:_-]{1,253})")


def short(value: object, limit: int = 60) -> str:
    """`repr(value)`, cut to `limit` characters (as `hachaos.spec.models.short`)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _abs_path(path: str) -> str:
    parts = path.split("/")
    if not path.startswith("/") or len(path) > 4096 or ".." in parts or "" in parts[1:]:
        raise ValueError(f"path {short(path)} must be absolute and normalised (no '..', '//')")
    return path


AbsPath = Annotated[str, AfterValidator(_abs_path)]


class Model(BaseModel):
    """Unknown keys are errors, instances are immutable (as every spec model)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _netloc_ok(scheme: str, netloc: str) -> None:
    if scheme == "local":
        if netloc:
            raise ValueError("a local:// host takes no name (write 'local://')")
        return
    if "@" in netloc and ":" in netloc.split("@", 1)[0]:
        raise ValueError(
            "a password in the connection string is refused (it would be written to journals "
            "and reports): authorize a key and name it with 'identity_file'"
        )
    if NETLOC_RE.fullmatch(netloc) is None:
        raise ValueError(f"'{scheme}://' needs [user@]host[:port]")


def check_host(value: str) -> str:
    """A testinfra connection string: `ssh://[user@]host[:port]`, `paramiko://...`,
    `docker://[user@]container` or `local://`, with only `ssh_identity_file` / `sudo` options."""
    if len(value) > MAX_HOST or not value.isprintable():
        raise ValueError(f"host {short(value)} is not a printable string of at most {MAX_HOST}")
    url = urllib.parse.urlsplit(value)
    if url.scheme not in SCHEMES or "://" not in value:
        raise ValueError(
            f"host {short(value)} must be a connection string "
            f"({', '.join(s + '://' for s in SCHEMES)})"
        )
    _netloc_ok(url.scheme, url.netloc)
    if url.path not in ("", "/") or url.fragment:
        raise ValueError(f"host {short(value)} has a path or fragment; write scheme://host")
    unknown = sorted(set(urllib.parse.parse_qs(url.query)) - set(HOST_OPTIONS))
    if unknown:
        known = ", ".join(HOST_OPTIONS)
        raise ValueError(f"unsupported option {short(unknown[0])} (known: {known})")
    return value


class ServiceSpec(Model):
    """How to find a node's main process, and how to stop and start its service.

    Exactly one finder: `supervisor` (a supervisord program), `systemd` (a unit), `pidfile` or
    `pgrep` (a `pgrep -f` pattern; the oldest match). With a service manager, stop and start go
    through it unless `stop` / `start` commands are given; with a pidfile or pattern both are
    required. `also` lists `pgrep -f` patterns of other processes of the service that are
    killed and frozen with it (e.g. the postmaster Patroni starts in its own session), as a
    container's processes are all killed with it.
    """

    supervisor: str | None = Field(default=None, pattern=PROGRAM_RE.pattern)
    systemd: str | None = Field(default=None, pattern=UNIT_RE.pattern)
    pidfile: AbsPath | None = None
    pgrep: str | None = Field(default=None, min_length=1, max_length=MAX_PATTERN)
    start: tuple[str, ...] | None = Field(default=None, min_length=1)
    stop: tuple[str, ...] | None = Field(default=None, min_length=1)
    also: tuple[str, ...] = Field(default=(), max_length=8)
    log: AbsPath | None = None  # a log file to tail (default: the service manager's log)

    @field_validator("also")
    @classmethod
    def _patterns_ok(cls, also: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in also:
            if not pattern or len(pattern) > MAX_PATTERN:
                raise ValueError(f"'also' patterns are 1-{MAX_PATTERN} characters")
        return also

    @model_validator(mode="after")
    def _one_finder(self) -> ServiceSpec:
        finders = [k for k in ("supervisor", "systemd", "pidfile", "pgrep") if getattr(self, k)]
        if len(finders) != 1:
            raise ValueError(
                "a service needs exactly one of 'supervisor', 'systemd', 'pidfile' or 'pgrep' "
                f"(got {', '.join(finders) or 'none'})"
            )
        if finders[0] in ("pidfile", "pgrep") and (self.start is None or self.stop is None):
            raise ValueError(f"a service found by '{finders[0]}' needs 'start' and 'stop' commands")
        return self

    @property
    def finder(self) -> str:
        """`supervisor`, `systemd`, `pidfile` or `pgrep`."""
        return next(k for k in ("supervisor", "systemd", "pidfile", "pgrep") if getattr(self, k))


class SshSpec(Model):
    """SSH settings shared by every host of a stack (a node's own `identity_file` wins)."""

    identity_file: str | None = Field(default=None, min_length=1, max_length=4096)
    known_hosts: str | None = Field(default=None, min_length=1, max_length=4096)
    strict_host_keys: bool = True  # False: accept an unknown host key (never a changed one)
    connect_timeout_s: float = Field(default=5.0, gt=0, le=60)
