"""Expectation windows and schedule origins, on synthetic histories."""

from __future__ import annotations

from histbuilder import MS, Timeline

from hachaos.checks.expectations import WindowCheck, expectation
from hachaos.checks.origins import origins
from hachaos.checks.recovery import recovery_time
from hachaos.history import History, StepEvent, StepOutcome


def step(t: Timeline, index: int, kind: str, name: str | None = None, **kw: object) -> int:
    """Record step `index` starting now (and ending now); returns its start."""
    outcome = kw.get("outcome", StepOutcome.OK)
    assert isinstance(outcome, StepOutcome)
    t.history.add_step(StepEvent(index, name, kind, t.t, t.t, outcome))
    return t.t


def window(history: History, grace_s: float = 0.0, closed_at: int | None = 2) -> WindowCheck:
    return expectation(
        history,
        name="w",
        probe="main",
        process="probe",
        state="unavailable",
        grace_s=grace_s,
        opened_at=1,
        closed_at=closed_at,
    )


def test_ops_in_the_window_after_the_grace_are_counted() -> None:
    t = Timeline().ops("....")
    step(t, 0, "inject", "k")
    t.ops("..")  # the transition: covered by the grace (2 ops x 50 ms)
    step(t, 1, "expect")
    t.ops("..xxxx")
    step(t, 2, "close")
    t.ops("....")
    w = window(t.history, grace_s=0.1)
    assert (w.ok, w.failed, w.ops) == (0, 4, 4)
    assert w.counts() == "0 ok, 4 failed of 4 ops after 0.1s grace (window 0.3s)"
    early = window(t.history, grace_s=0.0)
    assert (early.ok, early.failed) == (2, 4)


def test_a_window_never_opened_is_not_observed_and_an_unclosed_one_ends_with_the_steps() -> None:
    t = Timeline().ops("...")
    step(t, 0, "run")
    assert not window(t.history).observed
    step(t, 1, "expect")
    t.ops("x.x")
    step(t, 2, "wait", outcome=StepOutcome.FAILED)
    t.ops("....")  # after the schedule stopped: outside the window
    w = window(t.history, closed_at=None)
    assert (w.ok, w.failed) == (1, 2)


def test_origins_first_action_and_from_step() -> None:
    t = Timeline().ops("..")
    hold = step(t, 0, "hold_s")
    t.wait_ms(100)
    first_inject = step(t, 1, "inject", "a")
    t.wait_ms(100)
    run = step(t, 2, "run", "promote")
    t.wait_ms(100)
    step(t, 3, "wait", "later", outcome=StepOutcome.SKIPPED)
    assert origins(t.history) == origins(t.history, "nope")
    o = origins(t.history)
    assert (o.first_action_ns, o.recovery_ns) == (first_inject, first_inject)
    assert origins(t.history, "promote").recovery_ns == run
    assert origins(t.history, "later").recovery_ns == first_inject  # skipped: never started
    assert hold < first_inject
    assert origins(History()).first_action_ns is None


def test_origins_without_inject_start_at_the_first_run_step() -> None:
    t = Timeline()
    step(t, 0, "expect")
    t.wait_ms(50)
    run = step(t, 1, "run")
    o = origins(t.history)
    assert (o.first_action_ns, o.recovery_ns) == (run, run)


def test_recovery_measured_from_an_origin_ignores_the_earlier_outage() -> None:
    t = Timeline().ops("....").inject().ops("xxxxxxxx")
    origin = t.t
    t.ops("xx" + "." * 12)
    from_inject = recovery_time(t.history, process="probe", sustain_ops=5)
    from_origin = recovery_time(t.history, process="probe", sustain_ops=5, origin_ns=origin)
    assert from_origin.inject_ns == origin
    assert from_inject.recovery_s is not None and from_origin.recovery_s is not None
    assert round(from_inject.recovery_s - from_origin.recovery_s, 3) == round(8 * 50 * MS / 1e9, 3)
