"""What kind of quantity a measurement is, by its name: how `compare` must judge it.

* informational: traffic the run happened to generate (acknowledged writes and builds, the
  ack rate, the HTTP load's request counts); more is not worse, so it is shown, never judged;
* counted: data the system lost, invented or doubled (lost / unexpected / duplicated writes,
  lost / stuck / duplicated / unacknowledged builds): where the baseline had none, any is a
  regression;
* tail: p99s and maxima (`p99_ms.*`, `load.p99_ms.*`, `pickup_p99_s`, `finish_p99_s`,
  `finish_max_s`): a window's p99 is a handful of its slowest ops, one host hiccup away from
  doubling, so a tail is judged only against a baseline of at least `MIN_TAIL_RUNS` runs (its
  spread is then the run-to-run noise); against fewer it is shown, not judged;
* measured: everything else (times, rates), judged against its noise; error rates and p99s have
  a floor (0.01, 1 ms), the probe's and the HTTP load's alike.
"""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    """How a measurement is compared."""

    INFORMATIONAL = "informational"
    COUNTED = "counted"
    TAIL = "tail"
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
TAIL_SUFFIXES = ("_p99_s", "_max_s")
# one slow op doubles a tail (p99 1.96 -> 4.36 ms night to night): 3 runs' spread shows that
MIN_TAIL_RUNS = 3
RATE_FLOOR = 0.01
P99_FLOOR_MS = 1.0


def kind(name: str) -> Kind:
    """The kind of the measurement called `name`."""
    if name in INFORMATIONAL or name.startswith(INFORMATIONAL_PREFIXES):
        return Kind.INFORMATIONAL
    if name in COUNTED:
        return Kind.COUNTED
    if name.removeprefix("load.").startswith("p99_ms") or name.endswith(TAIL_SUFFIXES):
        return Kind.TAIL
    return Kind.MEASURED


def floor(name: str) -> float:
    """The smallest difference that can count as worse for `name` (0: no floor)."""
    bare = name.removeprefix("load.")
    if bare.startswith("error_rate") or bare.endswith(".error_rate"):  # expect.W.error_rate
        return RATE_FLOOR
    if bare.startswith("p99_ms"):
        return P99_FLOOR_MS
    return 0.0
