"""Client side of a run's TLS: trust the run's CA and nothing else."""

from __future__ import annotations

from hachaos.clients.http import TlsConfig
from hachaos.errors import HachaosError
from hachaos.running import RunningStack
from hachaos.tls.run_files import RunTls


def _run_tls(stack: RunningStack) -> RunTls:
    if stack.tls is None:
        raise HachaosError(
            f"stack '{stack.spec.name}' declares no 'tls': add tls: {{nodes: [...]}} to it "
            "or use plain http"
        )
    return stack.tls


def _server_name(tls: RunTls, node: str) -> str:
    return node if node in tls.names or not tls.names else tls.names[0]


def run_server_name(stack: RunningStack, node: str) -> str:
    """The name a client verifies node `node`'s certificate as: the node's name when the run's
    certificate is issued for it, else the certificate's first name. Never the address dialled,
    which may be the node's own (see hachaos.backends.docker.reach) and is in no certificate."""
    return _server_name(_run_tls(stack), node)


def run_tls_config(stack: RunningStack, node: str) -> TlsConfig:
    """Verify node `node` against the run's CA only (not the host's trust store), under
    `run_server_name`; an error when the stack has no `tls`."""
    tls = _run_tls(stack)
    return TlsConfig(tls.ca_path.read_text(), _server_name(tls, node))
