"""What a backend can do to its nodes, declared statically so a scenario needing more is
skipped with the reason before anything boots.

Each capability but `link` is one protocol of `hachaos.node` that the backend's nodes implement;
`link` is a Toxiproxy in the data path (the backend's own proxy node or a configured URL).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from hachaos.node import Disconnectable, Firewall, Killable, Pausable, Stoppable


class Capability(StrEnum):
    """One thing a fault may need a backend to do."""

    KILL = "kill"
    STOP = "stop"
    PAUSE = "pause"
    FIREWALL = "firewall"
    DISCONNECT = "disconnect"
    LINK = "link"


@dataclass(frozen=True)
class About:
    """How a capability reads in a skip reason, and the node protocol that provides it."""

    does: str
    protocol: type | None  # None: not a node protocol (links go through Toxiproxy)

    @property
    def lacks(self) -> str:
        """`no Pausable`, or `no Toxiproxy` for links."""
        return f"no {self.protocol.__name__ if self.protocol else 'Toxiproxy'}"


ABOUT: dict[Capability, About] = {
    Capability.KILL: About("kill nodes", Killable),
    Capability.STOP: About("stop nodes", Stoppable),
    Capability.PAUSE: About("pause nodes", Pausable),
    Capability.FIREWALL: About("cut nodes apart with firewall rules", Firewall),
    Capability.DISCONNECT: About("disconnect nodes from the stack network", Disconnectable),
    Capability.LINK: About("fault links", None),
}


def lacking(stack: str, backend: str, missing: Iterable[Capability]) -> str | None:
    """The skip reason for `missing` capabilities, e.g. "stack redis's backend (docker) cannot
    pause nodes (no Pausable)"; None when nothing is missing."""
    wanted = sorted(set(missing))
    if not wanted:
        return None
    cannot = "; ".join(f"{ABOUT[c].does} ({ABOUT[c].lacks})" for c in wanted)
    return f"stack {stack}'s backend ({backend}) cannot {cannot}"
