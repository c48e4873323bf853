"""Judge a candidate run against a baseline, scenario by scenario (a pure function).

The rule, as `hachaos compare` prints it:

* a verdict that got worse (pass → inconclusive → fail) is a regression;
* counted data (lost, unexpected, duplicated writes; lost, stuck, duplicated, unacknowledged
  builds): where the baseline's worst run had none, any in the candidate's worst run is a
  regression (no tolerance); where the baseline already had some (a scenario that accepts a
  bounded loss), the count is judged like the measurements below;
* any other measurement regresses when the candidate's median is worse than the baseline's
  median by more than its noise, the largest of: either side's spread over its repeats
  (max - min), the two sides' resolutions (±) added, 10% of the baseline median (25% when the
  baseline has fewer than 3 runs, so its spread says nothing yet), and a floor (0.01 for error
  rates, 1 ms for p99 latencies); tails (p99s, maxima) only against a baseline
  of at least 3 runs, shown otherwise. "Worse" is higher, except for measurements whose
  budget is a minimum (≥), where it is lower. Traffic counts (acknowledged writes and builds, the
  ack rate, the HTTP load's requests) are informational (see `measures`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from hachaos.certification.build import SEVERITY
from hachaos.certification.measures import MIN_TAIL_RUNS, Kind, floor, kind
from hachaos.certification.record import Certification, Distribution, ScenarioRecord

RULE = (
    "regression = a worse verdict; lost/unexpected/duplicated writes or builds where the "
    "baseline had none; or a median worse than the baseline's by more than max(spread of either "
    "side over repeats, both resolutions added, 10% of the baseline median (25% under 3 runs), "
    "floor 0.01 for error "
    "rates / 1 ms for p99s); p99s and maxima only against a baseline of 3 runs or more"
)
RELATIVE = 0.10
# fewest baseline runs whose spread is the noise (one run has none, two only a single gap)
MIN_SPREAD_RUNS = 3
# A baseline of one or two runs has no usable spread. 25 % covers the run-to-run spread of the
# noisiest timer-driven failover measured here (Patroni kill-primary 8.7-10.6 s: 22 %), which a
# pool of two nearly equal nights flagged as a regression; a real one (a Sentinel failover
# 2.31 s -> 5.33 s: +130 %) is far outside it.
RELATIVE_FEW_RUNS = 0.25


class Change(StrEnum):
    """How one row changed from baseline to candidate."""

    SAME = "same"
    BETTER = "better"
    WORSE = "REGRESSION"
    NEW = "new"  # measured only by the candidate
    GONE = "gone"  # measured only by the baseline
    INFO = "info"


@dataclass(frozen=True)
class Row:
    """One line of the comparison table."""

    scenario: str
    what: str
    baseline: str
    candidate: str
    delta: str
    tolerance: str
    change: Change


@dataclass(frozen=True)
class Comparison:
    """Rows for the scenarios both sides ran, the scenarios only one side ran, and the
    candidate's scenarios with fewer runs than its `repeat` (a run that errored records none:
    the others alone must not certify it)."""

    rows: tuple[Row, ...]
    only_baseline: tuple[str, ...]
    only_candidate: tuple[str, ...]
    incomplete: tuple[str, ...] = ()
    runs: dict[str, tuple[int, int]] = field(default_factory=dict)  # incomplete: (runs, repeat)

    @property
    def regressions(self) -> tuple[Row, ...]:
        """The rows that got worse."""
        return tuple(r for r in self.rows if r.change is Change.WORSE)

    @property
    def complete(self) -> bool:
        """True when both sides ran the same scenarios, the candidate every run of each."""
        return not (self.only_baseline or self.only_candidate or self.incomplete)


def compare(baseline: Certification, candidate: Certification) -> Comparison:
    """Every scenario both records hold, row by row; the others listed by side."""
    common = [n for n in baseline.scenarios if n in candidate.scenarios]
    rows = [
        row
        for name in common
        for row in _scenario_rows(baseline.scenarios[name], candidate.scenarios[name])
    ]
    short = {
        n: (len(s.runs), candidate.repeat)
        for n, s in candidate.scenarios.items()
        if len(s.runs) < candidate.repeat
    }
    return Comparison(
        tuple(rows),
        tuple(n for n in baseline.scenarios if n not in candidate.scenarios),
        tuple(n for n in candidate.scenarios if n not in baseline.scenarios),
        tuple(short),
        short,
    )


def _scenario_rows(base: ScenarioRecord, cand: ScenarioRecord) -> list[Row]:
    rows = [_verdict_row(base, cand)]
    names = list(base.distribution) + [n for n in cand.distribution if n not in base.distribution]
    for name in names:
        rows.append(
            _measure_row(base.name, name, base.distribution.get(name), cand.distribution.get(name))
        )
    return rows


def _verdict_row(base: ScenarioRecord, cand: ScenarioRecord) -> Row:
    b, c = SEVERITY[base.outcome], SEVERITY[cand.outcome]
    change = Change.WORSE if c > b else Change.BETTER if c < b else Change.SAME
    return Row(
        base.name,
        "verdict",
        f"{base.outcome} [{base.reason}]",
        f"{cand.outcome} [{cand.reason}]",
        "",
        "",
        change,
    )


def _measure_row(
    scenario: str, name: str, base: Distribution | None, cand: Distribution | None
) -> Row:
    if base is None or cand is None:
        change = Change.NEW if base is None else Change.GONE
        return Row(scenario, name, describe(base), describe(cand), "", "", change)
    what = kind(name)
    if what is Kind.INFORMATIONAL:
        return Row(scenario, name, describe(base), describe(cand), "", "", Change.INFO)
    if what is Kind.TAIL and base.n < MIN_TAIL_RUNS:
        note = f"<{MIN_TAIL_RUNS} runs"
        return Row(scenario, name, describe(base), describe(cand), "", note, Change.INFO)
    if what is Kind.COUNTED and base.max == 0:
        more = cand.max - base.max
        return Row(scenario, name, describe(base), describe(cand), _num(more), "0", _sign(more, 0))
    tol = tolerance(name, base, cand)
    worse_by = cand.median - base.median
    if cand.cmp == "≥":
        worse_by = -worse_by
    delta_text = _num(cand.median - base.median, base.unit)
    tol_text = f"±{_num(tol, base.unit)}"
    return Row(
        scenario, name, describe(base), describe(cand), delta_text, tol_text, _sign(worse_by, tol)
    )


def tolerance(name: str, base: Distribution, cand: Distribution) -> float:
    """How much worse the candidate's median may be before it counts as a regression."""
    resolution = (base.resolution or 0.0) + (cand.resolution or 0.0)
    relative = RELATIVE if base.n >= MIN_SPREAD_RUNS else RELATIVE_FEW_RUNS
    return max(base.spread, cand.spread, resolution, relative * abs(base.median), floor(name))


def _sign(worse_by: float, tol: float) -> Change:
    if worse_by > tol:
        return Change.WORSE
    if worse_by < -tol:
        return Change.BETTER
    return Change.SAME


def describe(d: Distribution | None) -> str:
    """`10.2s` for one run, `10.2s [9.8..11.0, n=3]` (median [min..max]) for repeats."""
    if d is None:
        return "n/a"
    text = _num(d.median, d.unit)
    if d.n > 1:
        text += f" [{_num(d.min)}..{_num(d.max)}, n={d.n}]"
    return text


def _num(v: float, unit: str = "") -> str:
    return f"{v:.4g}{unit}"
