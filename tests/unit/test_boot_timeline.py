"""The boot timeline: marks relative to the boot's start, and the critical path."""

from __future__ import annotations

from hachaos.boot_timeline import NodeBoot, TimelineRecorder, critical_path, format_timeline
from hachaos.clock import FakeClock


def boot(node: str, waited: tuple[str, ...], started: float, ready: float) -> NodeBoot:
    return NodeBoot(node, waited, started, started, ready)


def test_marks_are_seconds_since_the_recorder_began() -> None:
    clock = FakeClock(t_ns=5_000_000_000)
    rec = TimelineRecorder(clock)
    clock.wait(0.5)
    rec.created("a")
    clock.wait(1.0)
    rec.started("a", ["b"])
    clock.wait(2.0)
    rec.ready("a")
    rec.created("never-started")
    assert rec.timeline() == (NodeBoot("a", ("b",), 0.5, 1.5, 3.5),)


def test_timeline_is_in_ready_order() -> None:
    clock = FakeClock()
    rec = TimelineRecorder(clock)
    for node in ("slow", "fast"):
        rec.started(node, [])
    clock.wait(1.0)
    rec.ready("fast")
    clock.wait(1.0)
    rec.ready("slow")
    assert [b.node for b in rec.timeline()] == ["fast", "slow"]


def test_critical_path_follows_the_wait_that_became_ready_last() -> None:
    timeline = [
        boot("etcd", (), 0.0, 3.0),
        boot("rabbit-1", (), 0.0, 10.0),
        boot("pg", ("etcd",), 3.0, 12.0),
        boot("rabbit-2", ("rabbit-1",), 10.0, 25.0),
        boot("app", ("pg", "rabbit-2"), 25.0, 28.0),
        boot("lb", ("app",), 28.0, 29.5),
    ]
    path = critical_path(timeline)
    assert [b.node for b in path] == ["rabbit-1", "rabbit-2", "app", "lb"]
    assert critical_path([]) == []


def test_format_has_a_line_per_node_with_its_times() -> None:
    lines = format_timeline([boot("pg", ("etcd",), 3.0, 12.5)])
    assert lines[0].split() == ["node", "created", "started", "ready", "took"]
    assert lines[1].split()[:5] == ["pg", "3.00s", "3.00s", "12.50s", "9.50s"]
    assert lines[1].endswith("|   " + "#" * 9)
