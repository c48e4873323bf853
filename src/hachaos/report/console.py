"""Human-readable lines for verdicts and measurements."""

from __future__ import annotations

import threading
from collections.abc import Callable

from hachaos.certification.record import Certification
from hachaos.events import Progress
from hachaos.redact import redact
from hachaos.scenario.result import ScenarioResult


def progress_printer(write_line: Callable[[str], None], scenario: str) -> Callable[[object], None]:
    """A bus subscriber writing each Progress event as `  [scenario] phase: text`, redacted;
    safe to call from the readiness and probe threads."""
    lock = threading.Lock()

    def take(event: object) -> None:
        if isinstance(event, Progress):
            line = redact(f"  [{scenario}] {event.phase}: {event.text}")
            with lock:
                write_line(line)

    return take


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
    lines.extend(f"{'':12} note: {note}" for note in result.notes)
    return lines


def repeat_lines(record: Certification) -> list[str]:
    """Per scenario run more than once: the worst run's verdict and each budgeted value's
    distribution over the runs (median [min..max])."""
    lines: list[str] = []
    for sc in record.scenarios.values():
        if len(sc.runs) < 2:
            continue
        lines.append(
            f"{sc.outcome.upper():12} {sc.name}  worst of {len(sc.runs)} runs [{sc.reason}]"
        )
        for name, d in sc.distribution.items():
            if d.budget is None:
                continue
            lines.append(
                f"{'':14}{name} median {d.median:.4g}{d.unit} [{d.min:.4g}..{d.max:.4g}], "
                f"budget {d.cmp} {d.budget:g}{d.unit}"
            )
    return lines
