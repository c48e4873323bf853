"""Client side of a run's TLS: trust the run's CA and nothing else."""

from __future__ import annotations

from hachaos.clients.http import TlsConfig
from hachaos.errors import HachaosError
from hachaos.running import RunningStack


def run_tls_config(stack: RunningStack) -> TlsConfig:
    """Verify servers against the run's CA only (not the host's trust store), under the name
    the client dials (the run's certificate always names the runner's address); an error when
    the stack has no `tls`."""
    if stack.tls is None:
        raise HachaosError(
            f"stack '{stack.spec.name}' declares no 'tls': add tls: {{nodes: [...]}} to it "
            "or use plain http"
        )
    return TlsConfig(stack.tls.ca_path.read_text())
