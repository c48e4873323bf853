"""A stack that is up: its spec, run id and node handles."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar, get_args

from pydantic import BaseModel

from hachaos.boot_timeline import NodeBoot
from hachaos.errors import HachaosError
from hachaos.node import Node
from hachaos.spec.models import Role, StackSpec

if TYPE_CHECKING:  # hachaos.tls reaches the reaper, whose backends import this module
    from hachaos.tls.run_files import RunTls

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class RunningStack:
    """Handles to every node of a booted stack, labelled with its run id."""

    spec: StackSpec
    run_id: str
    backend: str
    nodes: Mapping[str, Node]
    boot_s: float
    toxiproxy_url: str | None = None  # a Toxiproxy the backend knows (else: the proxy node's)
    tls: RunTls | None = None  # the run's certificates, when the stack declares `tls`
    timeline: tuple[NodeBoot, ...] = ()  # per node: created, started, ready (when booted)

    def topology_as(self, kind: type[T], needed_by: str) -> T:
        """The stack's topology as `kind`; a one-line error naming who needed it otherwise."""
        topo = self.spec.topology
        if not isinstance(topo, kind):
            wanted = get_args(kind.model_fields["kind"].annotation)[0]
            raise HachaosError(
                f"{needed_by} needs a {wanted} stack; '{self.spec.name}' is {topo.kind}"
            )
        return topo

    def part(self, namespace: str) -> RunningStack:
        """The included stack `namespace` as a stack of its own: its spec (with its topology)
        and its nodes, so the resolvers, probes and healers of that kind work on it as is."""
        try:
            spec = self.spec.parts[namespace]
        except KeyError:
            known = ", ".join(self.spec.parts) or "none"
            raise HachaosError(
                f"stack '{self.spec.name}' includes no stack as '{namespace}' (included: {known})"
            ) from None
        nodes = {n: self.nodes[n] for n in spec.nodes if n in self.nodes}
        return replace(self, spec=spec, nodes=nodes)

    def own(self) -> RunningStack:
        """This stack without its included parts (itself when it includes nothing)."""
        if not self.spec.parts:
            return self
        spec = self.spec.own()
        nodes = {n: self.nodes[n] for n in spec.nodes if n in self.nodes}
        return replace(self, spec=spec, nodes=nodes)

    def views(self) -> list[RunningStack]:
        """This stack's own view, then each included part's: where topologies live."""
        return [self.own(), *(self.part(ns) for ns in self.spec.parts)]

    def node(self, name: str) -> Node:
        """The node called `name`."""
        return self.nodes[name]

    def declared(self, role: Role) -> list[Node]:
        """Nodes declared with `role` in the spec (not necessarily holding it now)."""
        return [self.nodes[n] for n in self.spec.nodes_with_role(role)]

    def host_address(self, host: str, port: int) -> tuple[str, int] | None:
        """Map an in-stack (hostname or IP, port) to the runner-reachable (host, port)."""
        for node in self.nodes.values():
            addr = node.address()
            if host in (addr.hostname, addr.ip) and port in addr.published:
                return addr.published[port]
        return None

    def link_address(self, link: str) -> tuple[str, int]:
        """Where the runner reaches `link`: the proxy node's published listen port, else the
        listen port on the configured Toxiproxy's host."""
        spec = self.spec.links[link]
        for proxy in self.declared(Role.PROXY):
            published = proxy.address().published.get(spec.listen)
            if published:
                return published
        if self.toxiproxy_url:  # a Toxiproxy of the deployment's own: it listens there
            host = urllib.parse.urlsplit(self.toxiproxy_url).hostname
            if host:
                return host, spec.listen
        raise KeyError(f"link {link!r} is not published by any proxy node")

    def node_at(self, host: str) -> Node | None:
        """The node whose in-stack hostname or IP is `host`."""
        for node in self.nodes.values():
            addr = node.address()
            if host in (addr.hostname, addr.ip):
                return node
        return None
