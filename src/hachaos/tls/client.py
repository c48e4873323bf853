"""Client side of a run's TLS: trust the run's CA and nothing else."""

from __future__ import annotations

import ssl

from hachaos.errors import HachaosError
from hachaos.running import RunningStack


def client_context(stack: RunningStack) -> ssl.SSLContext:
    """An SSL context that verifies the stack's server certificate against the run's CA only
    (not the host's trust store), host names checked; an error when the stack has no `tls`."""
    if stack.tls is None:
        raise HachaosError(
            f"stack '{stack.spec.name}' declares no 'tls': add tls: {{nodes: [...]}} to it "
            "or use plain http"
        )
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(stack.tls.ca_path))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
