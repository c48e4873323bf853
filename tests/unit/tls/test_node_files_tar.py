"""The archive a node's files are put in with: host files keep their mode, and only hachaos'
own directories get entries (an entry would reset an existing directory such as /tmp)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from hachaos.backends.docker.provision import _files_tar
from hachaos.tls.run_files import NodeFile


def test_modes_and_owned_directories_only(tmp_path: Path) -> None:
    key = tmp_path / "server.key"
    key.write_bytes(b"k")
    data = _files_tar({"/tmp/x.txt": "x"}, [NodeFile("/etc/hachaos/tls/server.key", key, 0o600)])
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        members = {m.name: (m.isdir(), oct(m.mode)) for m in tar}
    assert members == {
        "etc/hachaos": (True, "0o755"),
        "etc/hachaos/tls": (True, "0o755"),
        "tmp/x.txt": (False, "0o644"),
        "etc/hachaos/tls/server.key": (False, "0o600"),
    }
