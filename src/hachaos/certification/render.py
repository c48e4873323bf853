"""A comparison as a terminal table or as Markdown for a change request."""

from __future__ import annotations

from collections.abc import Sequence

from hachaos.certification.compare import RULE, Change, Comparison, Row
from hachaos.certification.record import Certification

HEADERS = ("scenario", "measure", "baseline", "candidate", "Δ", "noise", "result")


def _cells(row: Row) -> tuple[str, ...]:
    return (
        row.scenario,
        row.what,
        row.baseline,
        row.candidate,
        row.delta,
        row.tolerance,
        row.change.value,
    )


def table(comparison: Comparison) -> list[str]:
    """Aligned text columns, scenario by scenario, then scenarios only one side ran."""
    cells = [HEADERS, *(_cells(r) for r in comparison.rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(len(HEADERS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)).rstrip() for cell in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines += _one_sided(comparison)
    lines.append(f"rule: {RULE}")
    lines.append(_verdict_line(comparison))
    return lines


def _one_sided(comparison: Comparison) -> list[str]:
    lines = [f"only in baseline (not compared): {n}" for n in comparison.only_baseline]
    lines += [f"only in candidate (not compared): {n}" for n in comparison.only_candidate]
    return lines + [
        f"incomplete in candidate ({comparison.runs[n][0]} of {comparison.runs[n][1]} runs): {n}"
        for n in comparison.incomplete
    ]


def _verdict_line(comparison: Comparison) -> str:
    bad = comparison.regressions
    if not bad:
        return "no regression"
    names = ", ".join(sorted({f"{r.scenario} {r.what}" for r in bad}))
    return f"{len(bad)} regression(s): {names}"


def markdown(
    comparison: Comparison,
    baseline: Certification,
    candidate: Certification,
    names: Sequence[str] = ("baseline", "candidate"),
) -> str:
    """A summary a person can paste into a change request."""
    status = "**REGRESSION**" if comparison.regressions else "**no regression**"
    out = [
        f"## hachaos certification: {status}",
        "",
        f"- baseline: `{names[0]}` (hachaos {baseline.hachaos_version}, "
        f"git {baseline.git_sha or '-'}, {baseline.created}, repeat {baseline.repeat})",
        f"- candidate: `{names[1]}` (hachaos {candidate.hachaos_version}, "
        f"git {candidate.git_sha or '-'}, {candidate.created}, repeat {candidate.repeat})",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "---|" * len(HEADERS),
    ]
    for row in comparison.rows:
        cells = [c.replace("|", "\\|") for c in _cells(row)]
        if row.change is Change.WORSE:
            cells[-1] = f"**{cells[-1]}**"
        out.append("| " + " | ".join(cells) + " |")
    one_sided = [f"- {line}" for line in _one_sided(comparison)]
    out += ["", *one_sided, ""] if one_sided else [""]
    out += [f"Rule: {RULE}.", "", _versions(candidate)]
    return "\n".join(out).rstrip() + "\n"


def _versions(record: Certification) -> str:
    lines = ["Software on the candidate's nodes:", ""]
    for stack in record.stacks.values():
        for node, facts in stack.nodes.items():
            soft = ", ".join(f"{k} {v}" for k, v in sorted(facts.software.items())) or "-"
            lines.append(f"- {stack.name}/{node}: {soft}")
    return "\n".join(lines)
