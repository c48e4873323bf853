"""Shared fields of the HTTP clients (probes, ledger): where to send, and how TLS is verified."""

from __future__ import annotations

from pydantic import Field, model_validator

from hachaos.spec.models import EntrySpec, FilePath, Model, Name

HOSTNAME_PATTERN = r"^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$"


class NodeFileSpec(Model):
    """A file inside one node of the stack, read once when the clients are set up."""

    node: Name
    path: FilePath


class HttpClientSpec(Model):
    """`target`: a node and in-stack port (e.g. the load balancer). `tls: true` speaks HTTPS
    and verifies the server under the name `server_name` (default: the target node's name)
    against the CA certificate `ca` (a PEM file in a node), or, without `ca`, against the run's
    own CA (the stack's `tls:`); there is no unverified mode."""

    target: EntrySpec
    tls: bool = False
    ca: NodeFileSpec | None = None
    server_name: str | None = Field(default=None, pattern=HOSTNAME_PATTERN)

    @model_validator(mode="after")
    def _tls_complete(self) -> HttpClientSpec:
        if not self.tls and (self.ca is not None or self.server_name is not None):
            raise ValueError("'ca' and 'server_name' only go with 'tls: true'")
        return self

    def node_refs(self) -> dict[tuple[str, ...], str]:
        """Every node this client names, by its key path."""
        refs: dict[tuple[str, ...], str] = {("target", "node"): self.target.node}
        if self.ca is not None:
            refs[("ca", "node")] = self.ca.node
        return refs
