"""Synthetic histories through every checker and the judge, each classified right."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from histbuilder import Timeline

from hachaos.checks.data import check_set
from hachaos.checks.latency import windows
from hachaos.checks.loss import loss_window
from hachaos.checks.recovery import recovery_time
from hachaos.checks.steady import before_fault, steady_state
from hachaos.history import FaultPhase, History
from hachaos.verdict import Budget, Verdict, judge

KEYS = [f"k{i}" for i in range(10)]


def evaluate(history: History, budget: Budget) -> Verdict:
    """What a scenario runner does after the run: measure, then judge."""
    inject = history.first_fault(FaultPhase.INJECT)
    before = inject.at_ns if inject else max((o.end_ns for o in history.ops), default=0)
    data = check_set(history) if history.final_reads else None
    return judge(
        budget,
        steady=steady_state(history, before_ns=before, process="probe"),
        recovery=recovery_time(history, process="probe"),
        data=data,
        latency=windows(history, process="probe"),
        loss=loss_window(history, data.lost) if data is not None else None,
        before=before_fault(history, process="probe"),
    )


def ledger(tl: Timeline, read: list[str], *, extra: str = "", complete: bool = True) -> Timeline:
    for key in KEYS:
        tl.write(key)
    for i, outcome in enumerate(extra):
        tl.write(f"u{i}", outcome)
    return tl.final_read(*read, complete=complete)


def base(
    tl: Timeline, during: str, after: int = 20, dur_ms: float = 5, revert: bool = False
) -> Timeline:
    tl.ops("." * 20).inject().ops(during, dur_ms=dur_ms)
    if revert:
        tl.revert()
    return tl.ops("." * after)


@dataclass(frozen=True)
class Case:
    build: Callable[[Timeline], Timeline]
    budget: Budget
    expected: str  # "<outcome> <reason>"


RT10 = Budget(recovery_time_s=10)
DATA = Budget(recovery_time_s=10, max_lost_writes=0, max_unexpected=0)
CASES = {
    "clean-recovery": Case(lambda t: base(t, "x" * 10), RT10, "pass within-budget"),
    "recovery-too-slow": Case(
        lambda t: base(t, "x" * 10), Budget(recovery_time_s=0.2), "fail recovery-too-slow"
    ),
    "no-impact": Case(lambda t: base(t, ""), RT10, "pass within-budget"),
    "never-recovered": Case(lambda t: base(t, "x" * 30, after=0), RT10, "fail never-recovered"),
    "flapping": Case(lambda t: base(t, "xx" + "." * 12 + "xxx"), RT10, "pass within-budget"),
    "flapping-too-slow": Case(
        lambda t: base(t, "xx" + "." * 12 + "xxx"),
        Budget(recovery_time_s=0.5),
        "fail recovery-too-slow",
    ),
    "empty": Case(lambda t: t, RT10, "inconclusive not-steady"),
    "no-inject": Case(lambda t: t.ops("." * 30), RT10, "inconclusive no-inject"),
    "steady-fail": Case(
        lambda t: t.ops("." * 15 + "x" + "." * 4).inject().ops("." * 20),
        RT10,
        "inconclusive not-steady",
    ),
    "lost-writes": Case(lambda t: ledger(base(t, "xx"), KEYS[:8]), DATA, "fail lost-writes"),
    "duplicate": Case(
        lambda t: ledger(base(t, "xx"), [*KEYS, "k3"]), DATA, "fail duplicated-writes"
    ),
    "unexpected": Case(
        lambda t: ledger(base(t, "xx"), [*KEYS, "ghost"]), DATA, "fail unexpected-writes"
    ),
    "indeterminate": Case(
        lambda t: ledger(base(t, "xx"), [*KEYS, "u0"], extra="??"), DATA, "pass within-budget"
    ),
    "too-few-acked": Case(
        lambda t: base(t, "xx").write("k0", "x").final_read(), DATA, "inconclusive data-unknown"
    ),
    "incomplete-read": Case(
        lambda t: ledger(base(t, "xx"), KEYS[:3], complete=False),
        DATA,
        "inconclusive data-unknown",
    ),
    "error-rate": Case(
        lambda t: base(t, "x" * 10, revert=True),
        Budget(max_error_rate={"during": 0.2}),
        "fail error-rate",
    ),
    "error-rate-after-ok": Case(
        lambda t: base(t, "x" * 10, revert=True),
        Budget(max_error_rate={"before": 0.0, "after": 0.0}),
        "pass within-budget",
    ),
    "p99": Case(
        lambda t: base(t, "." * 20, dur_ms=400, revert=True), Budget(max_p99_ms=100), "fail p99"
    ),
    "errors-before-fault": Case(
        lambda t: base(t.ops("x.....x"), "xx"), RT10, "fail errors-before-fault"
    ),
    "warm-up-errors-ignored": Case(lambda t: base(t.ops("xxx"), "xx"), RT10, "pass within-budget"),
    "unconfirmed-past-the-budget": Case(
        lambda t: base(t, "x" * 40 + "...", after=0),
        Budget(recovery_time_s=1),
        "fail recovery-too-slow",
    ),
    "unbudgeted-loss": Case(lambda t: ledger(base(t, "xx"), KEYS[:8]), RT10, "fail lost-writes"),
    "loss-window": Case(
        lambda t: ledger(base(t, "xx"), KEYS[:7]),
        Budget(recovery_time_s=10, max_loss_window_s=0.05),
        "fail loss-window",
    ),
    "budgeted-loss": Case(
        lambda t: ledger(base(t, "xx"), KEYS[:7]),
        Budget(recovery_time_s=10, max_lost_writes=3, max_loss_window_s=1),
        "pass within-budget",
    ),
    "outage-expected": Case(
        lambda t: base(t, "x" * 30, after=0), Budget(expect="unavailable"), "pass within-budget"
    ),
    "outage-expected-but-available": Case(
        lambda t: base(t, ""),
        Budget(expect="unavailable"),
        "fail outage-expected-but-available",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_classified(name: str) -> None:
    case = CASES[name]
    verdict = evaluate(case.build(Timeline()).history, case.budget)
    assert f"{verdict.outcome} {verdict.reason}" == case.expected, verdict.summary()


@pytest.mark.parametrize("name", CASES)
def test_jsonl_round_trip_gives_same_verdict(name: str) -> None:
    case = CASES[name]
    history = case.build(Timeline()).history
    text = history.to_jsonl()
    again = History.from_jsonl(text.splitlines())
    assert again.to_jsonl() == text
    assert evaluate(again, case.budget) == evaluate(history, case.budget)
