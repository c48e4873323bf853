"""Creating a run's network and containers (not started) from a stack spec."""

from __future__ import annotations

import io
import socket
import tarfile
import time
from collections.abc import Sequence
from pathlib import PurePosixPath

import docker
from docker.errors import APIError

from hachaos.backends.docker import labels
from hachaos.backends.docker.reach import Reach, declared_ports
from hachaos.errors import InfraError, PortInUse
from hachaos.spec.models import NodeSpec, StackSpec
from hachaos.tls.run_files import NodeFile


def create_network(api: docker.APIClient, run_id: str, stack: str) -> str:
    """Create the run's bridge network; returns its name."""
    name = labels.network_name(run_id)
    api.create_network(name, driver="bridge", labels=labels.run_labels(run_id, stack))
    return name


def check_host_ports(stack: StackSpec) -> None:
    """Fail early, naming the node, if a fixed host port is already taken on 127.0.0.1."""
    for node, spec in stack.nodes.items():
        for port in spec.port_specs():
            if port.host is None:
                continue
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("127.0.0.1", port.host))
                except OSError:
                    raise PortInUse(
                        f"port 127.0.0.1:{port.host} wanted by node '{node}' of stack "
                        f"'{stack.name}' is already in use; free it or drop the fixed host port"
                    ) from None


OWNED_DIR = PurePosixPath("etc/hachaos")  # hachaos' own directory in a node (e.g. TLS files)


def _owned_dirs(paths: Sequence[str]) -> list[str]:
    """Directories to create for `paths`: only those inside `OWNED_DIR` (the engine creates no
    missing parents, and a directory entry would reset an existing one's mode, e.g. /tmp's)."""
    found = {
        d
        for path in paths
        for d in PurePosixPath(path.lstrip("/")).parents
        if d == OWNED_DIR or OWNED_DIR in d.parents
    }
    return sorted(str(d) for d in found)


def _files_tar(files: dict[str, str], host_files: Sequence[NodeFile] = ()) -> bytes:
    """A tar of the spec's inline files and of host files (read now, kept only in the tar)."""
    entries = [(path, content.encode(), 0o644) for path, content in files.items()]
    entries += [(f.path, f.source.read_bytes(), f.mode) for f in host_files]
    now = int(time.time())
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for directory in _owned_dirs([path for path, _, _ in entries]):
            info = tarfile.TarInfo(directory)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, now
            tar.addfile(info)
        for path, data, mode in entries:
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size, info.mode, info.mtime = len(data), mode, now
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def create_node(
    api: docker.APIClient,
    stack: StackSpec,
    run_id: str,
    network: str,
    node: str,
    *,
    reach: Reach,
    host_files: Sequence[NodeFile] = (),
) -> str:
    """Create one node's container with labels, alias, ports and files (the spec's, plus
    `host_files` such as the run's TLS certificate and key); returns its id. With DIRECT reach
    only the ports pinned to a fixed host port are published."""
    spec: NodeSpec = stack.nodes[node]
    ports = spec.port_specs()
    published = [p for p in ports if reach is Reach.PUBLISHED or p.host]
    host_config = api.create_host_config(
        port_bindings={
            p.container: ("127.0.0.1", p.host) if p.host else ("127.0.0.1",) for p in published
        },
        cap_add=["NET_ADMIN"],  # lets in-namespace firewall faults work without a helper
    )
    net_config = api.create_networking_config(
        # types-docker types this as one EndpointConfig; docker-py takes {network: config}
        {network: api.create_endpoint_config(aliases=[node, *spec.aliases])}  # type: ignore[arg-type]
    )
    try:
        created = api.create_container(
            stack.image_of(node),
            command=list(spec.command) if spec.command else None,
            name=labels.container_name(run_id, node),
            hostname=node,
            labels={
                **labels.node_labels(run_id, stack.name, node, spec.role.value),
                labels.REACH: reach.value,
                labels.PORTS: declared_ports([p.container for p in ports]),
            },
            environment=dict(spec.env),
            ports=[p.container for p in ports],
            host_config=host_config,
            networking_config=net_config,
        )
    except APIError as exc:
        raise InfraError(f"cannot create node '{node}': {exc.explanation or exc}") from None
    cid: str = created["Id"]
    if spec.files or host_files:
        api.put_archive(cid, "/", _files_tar(spec.files, host_files))
    return cid


def start_node(api: docker.APIClient, cid: str, node: str) -> None:
    """Start a created container; a port clash becomes PortInUse."""
    try:
        api.start(cid)
    except APIError as exc:
        text = str(exc.explanation or exc)
        if "port is already allocated" in text or "address already in use" in text:
            raise PortInUse(
                f"node '{node}': {text}; free the port or drop the fixed host port"
            ) from None
        raise InfraError(f"cannot start node '{node}': {text}") from None
