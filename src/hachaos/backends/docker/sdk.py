"""Whether the Docker SDK is installed, asked without importing anything else of the backend
(so `hachaos doctor` can say it is missing instead of failing to import)."""

from __future__ import annotations


def sdk_version() -> str | None:
    """The installed `docker` SDK's version, or None when it cannot be imported."""
    try:
        import docker
    except ImportError:
        return None
    return str(docker.__version__)
