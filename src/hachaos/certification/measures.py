"""What kind of quantity a measurement is, by its name: how `compare` must judge it.

* informational: traffic the run happened to generate (acknowledged writes and builds, the
  ack rate, the HTTP load's request counts); more is not worse, so it is shown, never judged;
* counted: data the system lost, invented or doubled (lost / unexpected / duplicated writes,
  lost / stuck / duplicated / unacknowledged builds): where the baseline had none, any is a
  regression;
* measured: everything else (times, rates, latencies), judged against its noise, with a floor
  for error rates (0.01) and p99 latencies (1 ms), the probe's and the HTTP load's alike.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """How a measurement is compared."""

    INFORMATIONAL = "informational"
    COUNTED = "counted"
    MEASURED = "measured"


INFORMATIONAL = frozenset({"acknowledged", "builds_acknowledged", "ack_rate"})
INFORMATIONAL_PREFIXES = ("load.requests.",)
COUNTED = frozenset(
    {
        "lost_writes",
        "unexpected_writes",
        "duplicated",
        "lost_builds",
        "stuck_builds",
        "duplicated_builds",
        "unacknowledged_builds",
    }
)
RATE_FLOOR = 0.01
P99_FLOOR_MS = 1.0


def kind(name: str) -> Kind:
    """The kind of the measurement called `name`."""
    if name in INFORMATIONAL or name.startswith(INFORMATIONAL_PREFIXES):
        return Kind.INFORMATIONAL
    return Kind.COUNTED if name in COUNTED else Kind.MEASURED


def floor(name: str) -> float:
    """The smallest difference that can count as worse for `name` (0: no floor)."""
    bare = name.removeprefix("load.")
    if bare.startswith("error_rate") or bare.endswith(".error_rate"):  # expect.W.error_rate
        return RATE_FLOOR
    if bare.startswith("p99_ms"):
        return P99_FLOOR_MS
    return 0.0
