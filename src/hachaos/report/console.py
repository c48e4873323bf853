"""Human-readable lines for verdicts and measurements."""

from __future__ import annotations

import threading
from collections.abc import Callable

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
    return lines
