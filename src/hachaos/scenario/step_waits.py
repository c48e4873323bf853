"""The two waits a step can make, each one `wait_until` with the step's deadline: a probe
state (consecutive ok or failed ops since the wait began) or a command's output."""

from __future__ import annotations

from dataclasses import dataclass

from hachaos.checks._ops import is_failure, select_ops
from hachaos.clock import wait_until
from hachaos.errors import DeadlineExceeded
from hachaos.history import History
from hachaos.scenario.commands import NodeRun, matches, run_on
from hachaos.scenario.context import RunContext
from hachaos.scenario.phases import POLL_S, Throttle, probe_process
from hachaos.spec.steps import CommandWaitSpec, ProbeWaitSpec

COMMAND_POLL_S = 0.5  # a command is re-run at most this often (an exec costs ~0.1 s)


@dataclass(frozen=True)
class WaitResult:
    """Whether the condition held before the deadline, and the last observation."""

    ok: bool
    detail: str


@dataclass(frozen=True)
class ProbeState:
    """The last `sustain` ops of a probe since `since_ns`: how many, how many ok."""

    seen: int
    ok: int
    last: int
    sustain: int
    state: str

    @property
    def holds(self) -> bool:
        """`sustain` ops seen, all ok (state ok) or all failed (state failing)."""
        wanted = self.last if self.state == "ok" else 0
        return self.last == self.sustain and self.ok == wanted

    def describe(self) -> str:
        """`12 of the last 20 ops ok (63 since the wait began)`."""
        return f"{self.ok} of the last {self.last} ops ok ({self.seen} since the wait began)"


def probe_state(
    history: History, process: str, since_ns: int, sustain: int, state: str
) -> ProbeState:
    """The probe's ops started since `since_ns`, judged on the last `sustain` of them."""
    ops = [o for o in select_ops(history, process=process, kind=None) if o.start_ns >= since_ns]
    last = ops[-sustain:]
    ok = sum(1 for o in last if not is_failure(o))
    return ProbeState(len(ops), ok, len(last), sustain, state)


def wait_probe(ctx: RunContext, wait: ProbeWaitSpec, timeout_s: float) -> WaitResult:
    """Until the probe's last `sustain_ops` ops are all ok / all failed, within `timeout_s`."""
    since = ctx.clock.now_ns()
    say = Throttle(ctx.bus.progress("waiting"), ctx.clock)
    want = f"{wait.sustain_ops} consecutive {'ok' if wait.state == 'ok' else 'failed'} ops"

    def look() -> ProbeState:
        found = probe_state(
            ctx.history, probe_process(wait.probe), since, wait.sustain_ops, wait.state
        )
        say(f"probe {wait.probe}: {found.describe()}, want {want}")
        return found

    try:
        wait_until(
            look,
            lambda s: s.holds,
            what=f"probe {wait.probe} {wait.state}",
            timeout_s=timeout_s,
            interval_s=POLL_S,
            clock=ctx.clock,
        )
    except DeadlineExceeded:
        last = look()
        return WaitResult(
            False, f"probe {wait.probe}: no {want} within {timeout_s:g}s; {last.describe()}"
        )
    return WaitResult(True, f"probe {wait.probe}: {want}")


def wait_command(ctx: RunContext, wait: CommandWaitSpec, timeout_s: float) -> WaitResult:
    """Re-run the command on every picked node until each output matches, within the
    deadline; targets are resolved again on every run (a role may move meanwhile)."""
    deadline = ctx.clock.now_ns() + int(timeout_s * 1e9)
    say = Throttle(ctx.bus.progress("waiting"), ctx.clock)
    cmd = wait.run

    def look() -> list[NodeRun]:
        runs = run_on(ctx.targets(cmd.target), cmd.command, cmd.timeout_s, deadline, ctx.clock)
        say("; ".join(r.describe() for r in runs))
        return runs

    def done(runs: list[NodeRun]) -> bool:
        return all(r.result is not None and matches(wait.output, r.result.output) for r in runs)

    want = f"output matching {wait.output!r}"
    try:
        runs = wait_until(
            look,
            done,
            what=want,
            timeout_s=timeout_s,
            interval_s=COMMAND_POLL_S,
            clock=ctx.clock,
        )
    except DeadlineExceeded as exc:
        return WaitResult(False, f"no {want} within {timeout_s:g}s; last: {_last(exc)}")
    return WaitResult(True, "; ".join(r.describe() for r in runs))


def _last(exc: DeadlineExceeded) -> str:
    """The last observation a deadline reports, as text."""
    last = exc.last
    if isinstance(last, list):
        return "; ".join(r.describe() for r in last if isinstance(r, NodeRun))
    return str(last)
