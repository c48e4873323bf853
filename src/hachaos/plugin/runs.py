"""One run's life inside a pytest session: reaper first, boot, and always teardown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from hachaos.events import EventBus, Progress
from hachaos.plugin.state import SessionState
from hachaos.reaper import start_reaper
from hachaos.runid import new_run_id
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec
from hachaos.tls.run_files import forget_run_tls


@contextmanager
def booted_stack(
    state: SessionState, spec: StackSpec, bus: EventBus | None = None
) -> Iterator[RunningStack]:
    """Boot `spec` under a fresh run id, watched by a reaper that cleans up if this process
    dies; tear down (and stand the reaper down) however the block ends."""
    bus = bus or EventBus()
    backend = state.backend  # connects and sweeps leftovers on first use
    run_id = new_run_id()
    reaper = start_reaper(run_id, backend=backend.name)
    state.live_run_ids.add(run_id)
    try:
        with bus.step("boot", stack=spec.name, run=run_id):
            bus.emit(Progress("boot", f"stack {spec.name}, run {run_id}, {len(spec.nodes)} nodes"))
            stack = backend.up(spec, run_id, bus.progress("boot"))
        yield stack
    finally:
        with bus.step("teardown"):
            removed = backend.down(run_id)
            forget_run_tls(run_id)
        bus.emit(Progress("teardown", f"removed {removed.containers} containers"))
        state.live_run_ids.discard(run_id)
        reaper.stand_down()
