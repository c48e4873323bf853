"""The scenario runner prepares the ledger's store before the probe makes its first attempt.

RabbitMQ 3.10 crashes a channel that purges a quorum queue while another client's first declare
of it is still starting the queue's Raft members (541 INTERNAL_ERROR): the ledger's purge must
be done before the probe declares.
"""

from __future__ import annotations

import threading

import pytest
import yaml
from rabbitfakes import stack

from hachaos.events import EventBus
from hachaos.history import Outcome
from hachaos.node import ExecResult
from hachaos.probes.base import Attempt, Probe
from hachaos.running import RunningStack
from hachaos.scenario import runner
from hachaos.spec.scenario import ScenarioSpec
from hachaos.workloads.ledger import LEDGER_PROCESS, LedgerStore

SPEC = """
name: order
stack: rabbitmq-cluster
probe: {type: amqp-publish, interval_ms: 10, timeout_ms: 100}
steady_state: {samples: 3, timeout_s: 0.3}
workload: {type: rabbitmq-ledger, interval_ms: 10, timeout_ms: 100}
fault: {action: pause, target: {role: primary}, duration_s: 1}
budget: {recovery_time_s: 5}
"""


class _Events:
    """What happened, in order, across threads."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self._lock = threading.Lock()

    def add(self, what: str) -> None:
        with self._lock:
            self.seen.append(what)


class _FailingProbe:
    """Records its attempts; every one fails (so the run stops at steady state)."""

    kind = "write"

    def __init__(self, events: _Events, process: str, name: str) -> None:
        self.process = process
        self._events = events
        self._name = name

    def attempt(self, seq: int) -> Attempt:
        self._events.add(f"{self._name} attempt")
        return Attempt(Outcome.FAIL, "Refused")

    def close(self) -> None:
        pass


class _SlowStore:
    """A store whose preparation (in `writer`) takes a while, like a declare and a purge."""

    def __init__(self, events: _Events) -> None:
        self._events = events

    def writer(self) -> Probe:
        self._events.add("store prepare started")
        threading.Event().wait(0.1)  # the probe, were it started, would attempt meanwhile
        self._events.add("store prepared")
        return _FailingProbe(self._events, LEDGER_PROCESS, "ledger")

    def read_back(self) -> tuple[str, ...]:
        return ()


def _no_exec(node: str, cmd: tuple[str, ...]) -> ExecResult:
    raise AssertionError(f"no rabbitmqctl expected, got {cmd} on {node}")


def test_ledger_store_is_prepared_before_the_probe_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = _Events()
    fake_stack: RunningStack = stack(_no_exec)[0]

    def make_probe(*_: object, **__: object) -> Probe:
        return _FailingProbe(events, "probe", "probe")

    def make_store(*_: object) -> LedgerStore:
        return _SlowStore(events)

    monkeypatch.setattr(runner, "make_probe", make_probe)
    monkeypatch.setattr(runner, "make_store", make_store)
    spec = ScenarioSpec.model_validate(yaml.safe_load(SPEC))
    result = runner.run_scenario(spec, fake_stack, EventBus(), seed=1)
    assert not result.steady.ok
    first_probe = events.seen.index("probe attempt")
    assert events.seen.index("store prepared") < first_probe, events.seen[:5]
