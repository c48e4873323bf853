"""Client side of a run's TLS: trust the run's CA and nothing else."""

from __future__ import annotations

from hachaos.clients.http import TlsConfig
from hachaos.errors import HachaosError
from hachaos.running import RunningStack


def run_server_name(stack: RunningStack, node: str) -> str:
    """The name a client verifies node `node`'s certificate as: the node's name when the run's
    certificate is issued for it, else the certificate's first name. Never the address dialled,
    which may be the node's own (see hachaos.backends.docker.reach) and is in no certificate."""
    if stack.tls is None:
        raise HachaosError(
            f"stack '{stack.spec.name}' declares no 'tls': add tls: {{nodes: [...]}} to it "
            "or use plain http"
        )
    names = stack.tls.names
    return node if node in names or not names else names[0]


def run_tls_config(stack: RunningStack, node: str) -> TlsConfig:
    """Verify node `node` against the run's CA only (not the host's trust store), under
    `run_server_name`; an error when the stack has no `tls`."""
    name = run_server_name(stack, node)
    assert stack.tls is not None  # run_server_name said so
    return TlsConfig(stack.tls.ca_path.read_text(), name)
