"""Several records as one baseline: each scenario's runs from every record, as repeats.

One night is one run per scenario, and one run cannot show how much a measurement moves from
night to night (a Patroni failover lands anywhere in its ttl cycle: 8.7 to 10.6 s over three
nights). The last nights pooled are a baseline whose spread is that night-to-night noise.
"""

from __future__ import annotations

from collections.abc import Sequence

from hachaos.certification.build import scenario_record
from hachaos.certification.record import Certification, RunRecord, ScenarioRecord


def pooled(records: Sequence[Certification]) -> Certification:
    """The newest record (last of `records`), each scenario's runs joined by those of the older
    records, its verdict the worst of them and its distributions recomputed over them all."""
    if not records:
        raise ValueError("pooled: no records")
    runs: dict[str, list[RunRecord]] = {}
    stacks: dict[str, str] = {}
    for record in reversed(records):  # newest first: its scenario order wins
        for name, scenario in record.scenarios.items():
            runs.setdefault(name, []).extend(scenario.runs)
            stacks.setdefault(name, scenario.stack)
    scenarios: dict[str, ScenarioRecord] = {
        name: scenario_record(name, stacks[name], rs) for name, rs in runs.items()
    }
    return records[-1].model_copy(update={"scenarios": scenarios})
