"""JUnit properties of a scenario run: numbers a CI can read without parsing text."""

from __future__ import annotations

from hachaos.scenario.result import ScenarioResult
from hachaos.verdict import Measurement


def _value(v: float | int) -> str:
    return str(v) if isinstance(v, int) else f"{v:.6g}"


def measurement_properties(m: Measurement) -> list[tuple[str, str]]:
    """`name=10.15`, `name.unit=s`, `name.resolution=0.05`, `name.budget=20`, `name.ok=true`."""
    props = [(m.name, _value(m.value) if m.value is not None else "n/a")]
    if m.unit:
        props.append((f"{m.name}.unit", m.unit))
    if m.resolution is not None and m.value is not None:
        props.append((f"{m.name}.resolution", _value(m.resolution)))
    if m.budget is not None:
        props.append((f"{m.name}.budget", _value(m.budget)))
        props.append((f"{m.name}.ok", "n/a" if m.ok is None else str(m.ok).lower()))
    return props


def junit_properties(result: ScenarioResult) -> list[tuple[str, str]]:
    """Verdict, reason, seed, run id, then every measurement as numeric properties."""
    v = result.verdict
    props = [
        ("verdict", v.outcome.value),
        ("reason", v.reason.value),
        ("seed", str(result.seed)),
        ("run_id", result.run_id),
    ]
    props.extend(("note", note) for note in result.notes)
    for m in v.measurements:
        props.extend(measurement_properties(m))
    return props
