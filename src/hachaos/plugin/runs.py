"""One run's life inside a pytest session: reaper first, boot, and always teardown."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from hachaos.events import EventBus, Progress
from hachaos.plugin.state import SessionState
from hachaos.reaper import start_reaper
from hachaos.runid import new_run_id
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec
from hachaos.targets import require_named
from hachaos.tls.run_files import forget_run_tls

TARGET_OPTION = "--hachaos-target"


@contextmanager
def booted_stack(
    state: SessionState, spec: StackSpec, bus: EventBus | None = None
) -> Iterator[RunningStack]:
    """Boot `spec` under a fresh run id, watched by a reaper that cleans up if this process
    dies; tear down (and stand the reaper down) however the block ends."""
    bus = bus or EventBus()
    require_named(spec, state.targets, TARGET_OPTION)  # before anything touches a host
    backend = state.backend_for(spec)  # connects and sweeps leftovers on first use
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
        done = (
            f"removed {removed.containers} containers"
            if backend.removes_nodes
            else "released the hosts (the run's tagged rules removed)"
        )
        bus.emit(Progress("teardown", done))
        state.live_run_ids.discard(run_id)
        reaper.stand_down()


def preflight_hosts(state: SessionState, stacks: Sequence[StackSpec]) -> None:
    """Each hosts stack is named by the run, and attaches (hosts reached, services found), in
    turn; the first problem raises its one-line error. Booted stacks are left alone."""
    from hachaos.backends.hosts.backend import HostsBackend  # paramiko: only when needed

    hosts = [s for s in stacks if s.on_hosts]
    for spec in hosts:
        require_named(spec, state.targets, TARGET_OPTION)
    for spec in hosts:
        backend = state.backend_for(spec)
        assert isinstance(backend, HostsBackend)
        backend.reach(spec, with_checks=False)
