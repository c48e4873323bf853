"""Human-readable lines for verdicts and measurements."""

from __future__ import annotations

from hachaos.scenario.result import ScenarioResult


def verdict_lines(result: ScenarioResult) -> list[str]:
    """A headline plus one line per measurement, for the terminal."""
    v = result.verdict
    lines = [f"{v.outcome.value.upper():12} {result.scenario}  [{v.reason.value}] {v.detail}"]
    targets = ", ".join(result.targets) or "-"
    lines.append(
        f"{'':12} run {result.run_id}, seed {result.seed}, targets {targets}, "
        f"probe every {result.probe_interval_s * 1000:g} ms"
    )
    lines.extend(f"{'':14}{m.render()}" for m in v.measurements)
    return lines
