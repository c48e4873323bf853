"""Live progress lines: throttled, forced at milestones, redacted, safe from any thread."""

from __future__ import annotations

import threading

from hachaos.clock import FakeClock
from hachaos.events import EventBus, Message, Progress
from hachaos.report.console import progress_printer
from hachaos.scenario.phases import Throttle


def test_throttle_passes_changes_at_most_every_interval() -> None:
    said: list[str] = []
    clock = FakeClock()
    say = Throttle(said.append, clock, every_s=2.0)
    say("1/20")
    clock.wait(1.0)
    say("5/20")  # too soon
    clock.wait(1.0)
    say("9/20")
    say("9/20")  # same text again: nothing new
    clock.wait(5.0)
    say("9/20")  # due, but unchanged
    say("20/20", force=True)
    assert said == ["1/20", "9/20", "20/20"]


def test_printer_prefixes_scenario_and_phase_and_redacts() -> None:
    lines: list[str] = []
    bus = EventBus()
    bus.subscribe(progress_printer(lines.append, "pg-kill"))
    bus.progress("boot")("nodes ready 2/7 (pg-1)")
    bus.emit(Progress("clients", "connecting to postgresql://app:s3cr3t@haproxy:5000/app"))
    bus.emit(Message("not progress"))
    assert lines[0] == "  [pg-kill] boot: nodes ready 2/7 (pg-1)"
    assert "s3cr3t" not in lines[1]
    assert len(lines) == 2


def test_printer_lines_do_not_interleave_across_threads() -> None:
    lines: list[str] = []
    take = progress_printer(lines.append, "s")
    threads = [
        threading.Thread(target=lambda i=i: take(Progress("boot", f"node {i}"))) for i in range(20)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(lines) == sorted(f"  [s] boot: node {i}" for i in range(20))
