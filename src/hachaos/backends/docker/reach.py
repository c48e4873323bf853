"""How the runner reaches a run's nodes: directly at their address on the run network, or
through ports published on 127.0.0.1.

Direct reach works when the run network's bridge lives in the runner's own network namespace
(a local engine on Linux): the runner then routes to every container IP on the bridge. It
publishes only the ports a stack pins to a fixed host port. Every published port costs the engine
a proxy process and NAT rules, set up at start and removed when the container stops: 33 ms a
port on teardown on this kind of machine (`benchmarks/reach_cost.py`). Published reach is what
works everywhere else: Docker Desktop's VM, a remote engine, rootless Docker.

A client of a killed node sees what an in-network client sees in both modes once its connection
is established; a new connection to a killed node is refused at once through a published port
(the engine's proxy is gone) and times out or finds no route directly (no host answers), as it
would for a machine that died.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import docker
from docker.errors import APIError, NotFound

from hachaos.backends.docker import labels
from hachaos.errors import HachaosError

ENV = "HACHAOS_DOCKER_REACH"


class Reach(StrEnum):
    """How the runner reaches the nodes of a Docker run."""

    AUTO = "auto"  # DIRECT when the runner can route to the run network, else PUBLISHED
    DIRECT = "direct"
    PUBLISHED = "published"


def wanted(environ: dict[str, str] | None = None) -> Reach:
    """The reach asked for by `HACHAOS_DOCKER_REACH` (default auto); HachaosError when unknown."""
    raw = (os.environ if environ is None else environ).get(ENV, "").strip().lower()
    if not raw:
        return Reach.AUTO
    try:
        return Reach(raw)
    except ValueError:
        choices = ", ".join(r.value for r in Reach)
        raise HachaosError(f"{ENV}={raw[:40]!r} is not one of: {choices}") from None


def gateway_of(api: docker.APIClient, network: str) -> str | None:
    """The IPv4 gateway of `network` (the bridge's own address), or None."""
    try:
        info: dict[str, Any] = api.inspect_network(network)
    except (NotFound, APIError):
        return None
    for config in (info.get("IPAM") or {}).get("Config") or []:
        gateway = str(config.get("Gateway") or "").split("/")[0]
        try:
            if ipaddress.ip_address(gateway).version == 4:
                return gateway
        except ValueError:
            continue
    return None


def is_local_address(ip: str) -> bool:
    """True when `ip` is an address of an interface in this process's network namespace (a
    socket can bind to it): the bridge is here and its containers are on-link."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind((ip, 0))
        except OSError:
            return False
    return True


def choose(api: docker.APIClient, network: str, asked: Reach) -> Reach:
    """DIRECT or PUBLISHED for a run on `network`: `asked` unless AUTO; AUTO is DIRECT when the
    network's gateway is a local address."""
    if asked is not Reach.AUTO:
        return asked
    gateway = gateway_of(api, network)
    return Reach.DIRECT if gateway is not None and is_local_address(gateway) else Reach.PUBLISHED


def host_bindings(info: dict[str, Any]) -> dict[int, tuple[str, int]]:
    """The container's ports published on the host, from `inspect_container` (empty while it is
    stopped)."""
    out: dict[int, tuple[str, int]] = {}
    for key, bindings in (info["NetworkSettings"].get("Ports") or {}).items():
        if bindings:
            host = bindings[0]["HostIp"] or "127.0.0.1"
            out[int(key.split("/")[0])] = (host, int(bindings[0]["HostPort"]))
    return out


def _labels(info: dict[str, Any]) -> dict[str, str]:
    return (info.get("Config") or {}).get("Labels") or {}


def declared_ports(ports: Sequence[int]) -> str:
    """The label value that records a node's declared ports (`5432,8008`)."""
    return ",".join(str(p) for p in ports)


def reach_of(info: dict[str, Any]) -> Reach:
    """The reach the container was created with (PUBLISHED for one created without the label)."""
    direct = _labels(info).get(labels.REACH) == Reach.DIRECT.value
    return Reach.DIRECT if direct else Reach.PUBLISHED


def runner_ports(info: dict[str, Any], ip: str | None) -> dict[int, tuple[str, int]]:
    """Where the runner reaches each declared port of the container `info` describes: its
    published host port, or with DIRECT reach its own `ip` and the port (empty without an IP:
    stopped or detached)."""
    if reach_of(info) is not Reach.DIRECT:
        return host_bindings(info)
    if not ip:
        return {}
    declared = _labels(info).get(labels.PORTS, "")
    return {int(p): (ip, int(p)) for p in declared.split(",") if p.isdigit()}
