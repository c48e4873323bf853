"""Wiring HTTP clients to a running stack: endpoints looked up per request, the CA read from
its node once."""

from __future__ import annotations

from hachaos.clients.http import Endpoint, JsonHttpClient, TlsConfig
from hachaos.clock import REAL_CLOCK, Clock, wait_until
from hachaos.errors import DeadlineExceeded, HachaosError
from hachaos.history import Outcome
from hachaos.probes.base import Attempt
from hachaos.probes.http_items import post_item
from hachaos.running import RunningStack
from hachaos.spec.http import HttpClientSpec, NodeFileSpec
from hachaos.spec.models import EntrySpec

CA_READ_TIMEOUT_S = 10.0


def endpoint_of(stack: RunningStack, target: EntrySpec) -> Endpoint:
    """Where the runner reaches `target` now (asked on each call: a restarted node may get
    another published port)."""
    if target.node not in stack.nodes:
        raise HachaosError(f"HTTP target names unknown node '{target.node}'")
    node = stack.node(target.node)
    if target.port not in node.address().published:
        raise HachaosError(f"port {target.port} of node '{target.node}' is not published")

    def endpoint() -> tuple[str, int]:
        return node.address().host_port(target.port)

    return endpoint


def read_ca(stack: RunningStack, ca: NodeFileSpec) -> str:
    """The PEM text of the CA certificate file `ca.path` inside node `ca.node`."""
    if ca.node not in stack.nodes:
        raise HachaosError(f"TLS 'ca' names unknown node '{ca.node}'")
    res = stack.node(ca.node).exec(["cat", "--", ca.path], timeout_s=CA_READ_TIMEOUT_S)
    if not res.ok or "-----BEGIN CERTIFICATE-----" not in res.output:
        raise HachaosError(
            f"cannot read the CA certificate {ca.path} on node '{ca.node}' "
            f"(exit {res.exit_code}); check the stack writes a PEM certificate there"
        )
    return res.output


def run_ca(stack: RunningStack) -> str:
    """The PEM text of the run's own CA (the stack's `tls:`)."""
    if stack.tls is None:
        raise HachaosError(
            f"'tls: true' without 'ca' needs the run's CA, but stack '{stack.spec.name}' "
            "declares no 'tls'"
        )
    return stack.tls.ca_path.read_text()


def tls_config(stack: RunningStack, spec: HttpClientSpec) -> TlsConfig | None:
    """The TLS settings of `spec` (None for plain HTTP): its `ca`, else the run's CA."""
    if not spec.tls:
        return None
    ca = read_ca(stack, spec.ca) if spec.ca is not None else run_ca(stack)
    return TlsConfig(ca, spec.server_name or spec.target.node)


def http_client(
    stack: RunningStack,
    spec: HttpClientSpec,
    timeout_s: float,
    target: EntrySpec | None = None,
    tls: TlsConfig | None = None,
) -> JsonHttpClient:
    """A client of `target` (default `spec.target`) with `spec`'s TLS settings (or `tls`, when
    the caller already read them)."""
    tls = tls if tls is not None else tls_config(stack, spec)
    return JsonHttpClient(endpoint_of(stack, target or spec.target), timeout_s, tls)


def put_item(
    client: JsonHttpClient, key: str, value: str, timeout_s: float, clock: Clock = REAL_CLOCK
) -> str:
    """Write one item, retried until acknowledged (201) within `timeout_s`; returns the node
    that acknowledged it. Setup, not measurement: failing is an infrastructure error."""
    try:
        attempt = wait_until(
            lambda: post_item(client, key, value),
            lambda a: a.outcome is Outcome.OK,
            what=f"setup write of {key}",
            timeout_s=timeout_s,
            interval_s=0.2,
            clock=clock,
        )
    except DeadlineExceeded as exc:
        last = exc.last.error if isinstance(exc.last, Attempt) else exc.last
        raise HachaosError(f"could not write the read probe's key {key}: {last}") from None
    return attempt.value or ""
