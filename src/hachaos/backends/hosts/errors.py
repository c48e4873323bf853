"""Why a host cannot be used, each as one line naming the host and what to fix."""

from __future__ import annotations

from hachaos.errors import InfraError


class HostError(InfraError):
    """A host of a hosts stack cannot be used (unreachable, refused the key, no service)."""


class HostUnreachable(HostError):
    """No connection to the host (refused, timed out, no route, not an SSH server)."""


class HostAuthFailed(HostError):
    """The host refused the key, or its host key is unknown or changed."""


class ServiceNotFound(HostError):
    """The node's service has no running main process on its host."""


class TargetNotNamed(HostError):
    """A hosts stack was about to be used without the run naming it (blast radius)."""
