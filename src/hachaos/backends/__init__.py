"""Backends: where stacks run. Registered by name and imported lazily."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from hachaos.errors import HachaosError

if TYPE_CHECKING:
    from hachaos.backends.base import Backend

BACKENDS = {"docker": "hachaos.backends.docker.backend:DockerBackend"}


def get_backend(name: str) -> Backend:
    """An instance of the backend registered as `name`."""
    try:
        target = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise HachaosError(f"unknown backend '{name}' (known: {known})") from None
    module_name, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module_name), cls_name)
    backend: Backend = cls()
    return backend
