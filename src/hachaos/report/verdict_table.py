"""A scenario's verdict as an HTML table for the top of its Allure result.

Budgeted values first, each ✓/✗ with its budget, then the other measurements; numbers as
numbers (no quotes); the outcome and its reason code in the headline; warnings below.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from hachaos.scenario.result import ScenarioResult
from hachaos.verdict import Measurement, VerdictOutcome

_COLOURS = {
    VerdictOutcome.PASS: "#2e7d32",
    VerdictOutcome.FAIL: "#c62828",
    VerdictOutcome.INCONCLUSIVE: "#ef6c00",
}


_TABLE = (
    '<table class="hachaos-verdict" border="1" cellpadding="4" style="border-collapse:collapse">'
)


def number(v: float | int | None, unit: str = "") -> str:
    """A value as plain text: integers as such, floats to 4 significant digits."""
    if v is None:
        return "n/a"
    text = str(v) if isinstance(v, int) else f"{v:.4g}"
    return f"{text} {unit}".rstrip()


def _mark(m: Measurement) -> str:
    return {True: "✓", False: "✗", None: "?"}[m.ok]


def _row(m: Measurement) -> str:
    res = f" ± {number(m.resolution, m.unit)}" if m.resolution is not None and m.value else ""
    budget = f"{m.cmp} {number(m.budget, m.unit)}" if m.budget is not None else ""
    mark = _mark(m) if m.budget is not None else ""
    return (
        f"<tr><td>{mark}</td><td><code>{escape(m.name)}</code></td>"
        f"<td>{escape(number(m.value, m.unit) + res)}</td><td>{escape(budget)}</td></tr>"
    )


def ordered(measurements: Sequence[Measurement]) -> list[Measurement]:
    """Budgeted measurements first, then the others, each group in verdict order."""
    return sorted(measurements, key=lambda m: m.budget is None)


def verdict_html(result: ScenarioResult, warnings: Sequence[str] = ()) -> str:
    """The verdict headline, the measurement table and any warnings."""
    v = result.verdict
    colour = _COLOURS[v.outcome]
    rows = "".join(_row(m) for m in ordered(v.measurements))
    parts = [
        f'<h3 style="color:{colour}">{v.outcome.upper()} <code>[{escape(v.reason)}]</code></h3>',
        f"<p>{escape(v.detail)}</p>",
        _TABLE,
        "<tr><th></th><th>measurement</th><th>value</th><th>budget</th></tr>",
        rows,
        "</table>",
        f"<p>run <code>{escape(result.run_id)}</code>, seed <code>{result.seed}</code>, "
        f"targets {escape(', '.join(result.targets) or '-')}</p>",
    ]
    if result.notes:
        items = "".join(f"<li>{escape(n)}</li>" for n in result.notes)
        parts.append(f"<p><b>Notes</b></p><ul>{items}</ul>")
    if warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
        parts.append(f'<p style="color:#c62828"><b>Warnings</b></p><ul>{items}</ul>')
    return "\n".join(parts)
