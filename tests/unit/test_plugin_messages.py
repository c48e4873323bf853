"""Warning and error messages a scenario emits reach the session summary."""

from __future__ import annotations

from pathlib import Path

from hachaos.events import EventBus, Message, Parameter
from hachaos.plugin.state import SessionState, collect_messages


def test_warnings_and_errors_are_kept_info_is_not() -> None:
    state = SessionState("docker", (), None, "fail", Path("h"))
    bus = EventBus()
    bus.subscribe(collect_messages(state, "pg-cut"))
    bus.emit(Message("booting", "info"))
    bus.emit(Parameter("seed", "1"))
    bus.emit(Message("split brain: two primaries acknowledged writes for 1.5s", "warning"))
    bus.emit(Message("stack did not re-form after the fault: rabbit-2 partitioned", "error"))
    assert state.warnings == [
        "hachaos: pg-cut: warning: split brain: two primaries acknowledged writes for 1.5s",
        "hachaos: pg-cut: error: stack did not re-form after the fault: rabbit-2 partitioned",
    ]
