"""The waits of a scenario, each one `wait_until` on the live history with a deadline."""

from __future__ import annotations

from contextlib import suppress

from hachaos.checks.recovery import Recovery, RecoveryStatus, recovery_time
from hachaos.checks.steady import SteadyState, steady_state
from hachaos.clock import Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.history import History
from hachaos.spec.scenario import RecoverySpec, SteadyStateSpec

POLL_S = 0.05
PROBE_PROCESS = "probe"  # availability is judged on the probe's ops; a ledger's are judged as data


def await_steady(history: History, spec: SteadyStateSpec, clock: Clock) -> SteadyState:
    """Wait until the last `samples` ops are all ok; the last observation if the deadline passes."""

    def look() -> SteadyState:
        return steady_state(
            history, before_ns=clock.now_ns(), samples=spec.samples, process=PROBE_PROCESS
        )

    try:
        return wait_until(
            look,
            lambda s: s.ok,
            what="steady state",
            timeout_s=spec.timeout_s,
            interval_s=POLL_S,
            clock=clock,
        )
    except DeadlineExceeded:
        last = look()
        reason = f"not steady within {spec.timeout_s:g}s: {last.reason}"
        return SteadyState(False, reason, last.ok_count, last.samples)


def await_recovery(
    history: History, spec: RecoverySpec, clock: Clock, min_s: float = 0.0
) -> Recovery:
    """Observe until clients have recovered (sustained success) and `min_s` has passed."""
    start = clock.now_ns()

    def look() -> Recovery:
        return recovery_time(history, process=PROBE_PROCESS, sustain_ops=spec.sustain_ops)

    def settled(r: Recovery) -> bool:
        held = (clock.now_ns() - start) / 1e9 >= min_s
        return held and r.status in (RecoveryStatus.RECOVERED, RecoveryStatus.NO_IMPACT)

    try:
        return wait_until(
            look,
            settled,
            what="recovery",
            timeout_s=max(spec.observe_s, min_s),
            interval_s=POLL_S,
            clock=clock,
        )
    except DeadlineExceeded:
        return look()


def await_ops(history: History, count: int, clock: Clock, timeout_s: float) -> None:
    """Let the probe record `count` more ops (the "after" window), bounded by a deadline."""

    def probe_ops() -> int:
        return sum(1 for op in history.ops if op.process == PROBE_PROCESS)

    target = probe_ops() + count
    with suppress(
        DeadlineExceeded
    ):  # a shorter after-window is fine: checkers see what was recorded
        wait_until(
            probe_ops,
            lambda n: n >= target,
            what="post-revert ops",
            timeout_s=timeout_s,
            interval_s=POLL_S,
            clock=clock,
        )
