"""The waits of a scenario, each one `wait_until` on the live history with a deadline."""

from __future__ import annotations

from contextlib import suppress

from hachaos.checks.recovery import Recovery, RecoveryStatus, recovery_time
from hachaos.checks.steady import SteadyState, steady_state
from hachaos.clock import Clock, wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.events import ProgressFn, no_progress
from hachaos.history import History
from hachaos.spec.scenario import RecoverySpec, SteadyStateSpec
from hachaos.spec.steps import MAIN_PROBE

POLL_S = 0.05
PROBE_PROCESS = "probe"  # availability is judged on the probe's ops; a ledger's are judged as data
PROGRESS_EVERY_S = 2.0


def probe_process(name: str) -> str:
    """The history process of the probe called `name`: `probe` for `main` (the scenario's
    `probe:`, judged for recovery and latency), `probe:NAME` for the extra ones."""
    return PROBE_PROCESS if name == MAIN_PROBE else f"{PROBE_PROCESS}:{name}"


class Throttle:
    """Passes a progress line on when it changed and `every_s` has passed since the last one."""

    def __init__(self, progress: ProgressFn, clock: Clock, every_s: float = PROGRESS_EVERY_S):
        self._progress = progress
        self._clock = clock
        self._every_ns = int(every_s * 1e9)
        self._last_ns: int | None = None
        self._last_text = ""

    def __call__(self, text: str, *, force: bool = False) -> None:
        """Report `text` if forced, or if new and the interval has passed."""
        now = self._clock.now_ns()
        due = self._last_ns is None or now - self._last_ns >= self._every_ns
        if force or (due and text != self._last_text):
            self._last_ns, self._last_text = now, text
            self._progress(text)


def await_steady(
    history: History, spec: SteadyStateSpec, clock: Clock, progress: ProgressFn = no_progress
) -> SteadyState:
    """Wait until the last `samples` ops are all ok; the last observation if the deadline passes."""
    say = Throttle(progress, clock, every_s=1.0)

    def look() -> SteadyState:
        found = steady_state(
            history, before_ns=clock.now_ns(), samples=spec.samples, process=PROBE_PROCESS
        )
        say(f"{found.ok_count}/{found.samples} consecutive ok samples", force=found.ok)
        return found

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
    history: History,
    spec: RecoverySpec,
    clock: Clock,
    min_s: float = 0.0,
    *,
    progress: ProgressFn = no_progress,
    budget_s: float | None = None,
    origin_ns: int | None = None,
) -> Recovery:
    """Observe until clients have recovered (sustained success) and `min_s` has passed;
    recovery is measured from the first inject, or `origin_ns` when given."""
    start = clock.now_ns()
    say = Throttle(progress, clock)
    budget = f"budget {budget_s:g}s" if budget_s is not None else "no recovery budget"
    seen = {
        RecoveryStatus.NOT_RECOVERED: "clients failing",
        RecoveryStatus.UNCONFIRMED: "ok again, confirming",
        RecoveryStatus.NO_IMPACT: "no client impact so far",
        RecoveryStatus.RECOVERED: "recovered",
    }

    def look() -> Recovery:
        found = recovery_time(
            history, process=PROBE_PROCESS, sustain_ops=spec.sustain_ops, origin_ns=origin_ns
        )
        elapsed = (clock.now_ns() - start) / 1e9
        state = seen.get(found.status, str(found.status))
        say(f"{elapsed:.0f}s elapsed, {budget}, observe {spec.observe_s:g}s: {state}")
        return found

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
