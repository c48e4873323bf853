"""A run's TLS files, written only inside the run's own folder and placed into its nodes."""

from __future__ import annotations

import contextlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from hachaos.errors import HachaosError
from hachaos.reaper.journal import runs_dir
from hachaos.spec.models import TLS_DIR, TlsSpec
from hachaos.tls.issue import issue

KEY_MODE = 0o600
PUBLIC_MODE = 0o644


@dataclass(frozen=True)
class NodeFile:
    """One file a node receives: its path in the node, the host file and its mode there."""

    path: str
    source: Path
    mode: int


@dataclass(frozen=True)
class RunTls:
    """Where a run's TLS files are on the runner's host, and which nodes get them.

    Holds paths only, never key material. In a `tls` node (all under `TLS_DIR`):
    `server.pem` is certificate + key in one file (HAProxy's `crt`), `server.crt` and
    `server.key` the same apart, `ca.crt` the run's CA (clients trust only that).
    """

    directory: Path
    nodes: tuple[str, ...]
    names: tuple[str, ...]

    @property
    def ca_path(self) -> Path:
        """The run's CA certificate on the runner's host: what probes verify against."""
        return self.directory / "ca.crt"

    def files_for(self, node: str) -> tuple[NodeFile, ...]:
        """What `node` receives before it starts (nothing when it is not a `tls` node)."""
        if node not in self.nodes:
            return ()
        d = self.directory
        return (
            NodeFile(f"{TLS_DIR}/server.pem", d / "server.pem", KEY_MODE),
            NodeFile(f"{TLS_DIR}/server.key", d / "server.key", KEY_MODE),
            NodeFile(f"{TLS_DIR}/server.crt", d / "server.crt", PUBLIC_MODE),
            NodeFile(f"{TLS_DIR}/ca.crt", d / "ca.crt", PUBLIC_MODE),
        )


def tls_dir(run_id: str, root: Path | None = None) -> Path:
    """`<runs dir>/<run_id>/tls`: the run's folder, removed with it."""
    return (root or runs_dir()) / run_id / "tls"


def _write(path: Path, data: bytes, mode: int) -> None:
    """Create `path` with `mode` from the start (never readable by others, not even briefly)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def write_run_tls(spec: TlsSpec, run_id: str, root: Path | None = None) -> RunTls:
    """Issue the run's certificates and write them into the run's folder (0700; keys 0600)."""
    directory = tls_dir(run_id, root)
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        directory.mkdir(mode=0o700)  # a fresh run id: an existing folder is not ours to reuse
    except FileExistsError:
        raise HachaosError(
            f"run {run_id} already has TLS files in {directory}: tear that run down first "
            f"(hachaos down {run_id}) or use a new run id"
        ) from None
    issued = issue(run_id, spec.subject_names())
    _write(directory / "ca.crt", issued.ca_cert, PUBLIC_MODE)
    _write(directory / "server.crt", issued.server_cert, PUBLIC_MODE)
    _write(directory / "server.key", issued.server_key, KEY_MODE)
    _write(directory / "server.pem", issued.server_cert + issued.server_key, KEY_MODE)
    return RunTls(directory, spec.nodes, spec.subject_names())


def forget_run_tls(run_id: str, root: Path | None = None) -> None:
    """Remove the run's TLS files (a run torn down by hand keeps no key behind), and the run's
    folder when nothing else is left in it."""
    directory = tls_dir(run_id, root)
    shutil.rmtree(directory, ignore_errors=True)
    with contextlib.suppress(OSError):  # not empty: the journal's owner removes it
        directory.parent.rmdir()
