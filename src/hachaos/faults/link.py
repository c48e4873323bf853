"""Link faults through Toxiproxy: one toxic on a proxy, or the proxy disabled (link down).

Works against any Toxiproxy 2.x API through `ToxiproxyClient`; toxics are named
`hachaos:<run_id>:<fault_id>` so a reaper can find the ones a dead runner left behind.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from hachaos.clock import REAL_CLOCK, Clock
from hachaos.errors import FaultError, HachaosError
from hachaos.faults.base import Fault
from hachaos.faults.rules import rule_tag
from hachaos.history import History
from hachaos.proxy.client import NotFound, ToxiproxyClient, ToxiproxyError
from hachaos.reaper.undo import EnableProxy, RemoveToxic, Undo
from hachaos.running import RunningStack
from hachaos.spec.faults import LinkFaultSpec, ToxicSpec
from hachaos.spec.models import Role

if TYPE_CHECKING:
    from hachaos.faults.registry import FaultContext

TOXIPROXY_URL_ENV = "HACHAOS_TOXIPROXY_URL"
TOXIPROXY_API_PORT = 8474


class LinkFault(Fault):
    """Add `toxic` to proxy `link` (or, with `toxic=None`, disable it); revert removes it."""

    name = "link"

    def __init__(
        self,
        client: ToxiproxyClient,
        link: str,
        toxic: ToxicSpec | None,
        run_id: str,
        *,
        history: History | None = None,
        clock: Clock = REAL_CLOCK,
    ):
        self.name = f"link-{toxic.type}" if toxic else "link-down"
        super().__init__(link, history, clock)
        self.client = client
        self.link = link
        self.toxic = toxic
        self.toxic_name = rule_tag(run_id, self.fault_id)

    def undo_record(self) -> Undo | None:
        """Remove the toxic / enable the proxy again."""
        if self.toxic is None:
            return EnableProxy(self.client.base_url, self.link)
        return RemoveToxic(self.client.base_url, self.link, self.toxic_name)

    def _apply(self) -> None:
        try:
            if self.toxic is None:
                self.client.disable(self.link)
                return
            t = self.toxic
            self.client.add_toxic(
                self.link,
                t.type,
                stream=t.stream,
                toxicity=t.toxicity,
                name=self.toxic_name,
                **t.attributes,
            )
        except NotFound:
            raise FaultError(
                f"link fault: no proxy '{self.link}' at {self.client.base_url}"
            ) from None
        except ToxiproxyError as exc:
            raise FaultError(f"link fault on '{self.link}': {exc}") from None

    def _holds(self) -> tuple[bool, str]:
        try:
            if self.toxic is None:
                enabled = self.client.get_proxy(self.link).enabled
                return (
                    not enabled,
                    f"proxy {self.link} {'still enabled' if enabled else 'disabled'}",
                )
            names = [t.name for t in self.client.toxics(self.link)]
        except ToxiproxyError as exc:
            return False, f"cannot read proxy {self.link}: {exc}"
        listed = self.toxic_name in names
        what = f"{self.toxic.type} {self.toxic.stream} toxicity={self.toxic.toxicity:g}"
        return listed, f"{what} on {self.link} {'listed' if listed else 'NOT listed'}"

    def _undo(self) -> None:
        try:
            if self.toxic is None:
                if not self.client.enable(self.link).enabled:
                    raise FaultError(f"proxy {self.link} still disabled after enabling it")
                return
            self.client.remove_toxic(self.link, self.toxic_name, missing_ok=True)
        except NotFound:
            return  # the proxy itself is gone: nothing left to undo
        except ToxiproxyError as exc:
            raise FaultError(f"cannot revert link fault on '{self.link}': {exc}") from None


def toxiproxy_url(stack: RunningStack, configured: str | None) -> str:
    """The Toxiproxy API for `stack`: configured, else the stack's own (`toxiproxy_url`), else
    its `proxy` node's published API port, else $HACHAOS_TOXIPROXY_URL."""
    configured = configured or stack.toxiproxy_url
    if configured:
        return configured
    for node in stack.declared(Role.PROXY):
        published = node.address().published.get(TOXIPROXY_API_PORT)
        if published:
            return f"http://{published[0]}:{published[1]}"
    if os.environ.get(TOXIPROXY_URL_ENV):
        return os.environ[TOXIPROXY_URL_ENV]
    raise HachaosError(
        f"link faults need a Toxiproxy: give stack '{stack.spec.name}' a node with role proxy "
        f"publishing port {TOXIPROXY_API_PORT}, or set {TOXIPROXY_URL_ENV}"
    )


def link_faults(spec: object, ctx: FaultContext) -> list[Fault]:
    """One LinkFault per link named, against the stack's Toxiproxy."""
    assert isinstance(spec, LinkFaultSpec)
    declared = ctx.stack.spec.links
    for link in spec.link_names():
        if declared and link not in declared:
            known = ", ".join(sorted(declared))
            raise HachaosError(
                f"link fault: stack '{ctx.stack.spec.name}' has no link '{link}' (links: {known})"
            )
    client = ToxiproxyClient(toxiproxy_url(ctx.stack, ctx.toxiproxy_url))
    return [
        LinkFault(client, link, spec.toxic, ctx.stack.run_id, history=ctx.history, clock=ctx.clock)
        for link in spec.link_names()
    ]
