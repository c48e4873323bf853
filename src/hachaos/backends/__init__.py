"""Backends: where stacks run. Registered by name and imported lazily.

The name is what the journal records with every node reference, so a reaper in another process
undoes a fault through the backend that made the node (`get_backend(ref.backend)`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from hachaos.errors import HachaosError

if TYPE_CHECKING:
    from hachaos.backends.base import Backend

DEFAULT_BACKEND = "docker"
BACKENDS = {
    "docker": "hachaos.backends.docker.backend:DockerBackend",
    "hosts": "hachaos.backends.hosts.backend:HostsBackend",
}


def get_backend(name: str) -> Backend:
    """An instance of the backend registered as `name` (not connected yet)."""
    try:
        target = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise HachaosError(f"unknown backend '{name}' (known: {known})") from None
    module_name, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    backend: Backend = cls()
    return backend
