"""The scenario runner prepares the ledger's store while preparing the run (pytest's setup
phase), before the probe makes its first attempt.

RabbitMQ 3.10 crashes a channel that purges a quorum queue while another client's first declare
of it is still starting the queue's Raft members (541 INTERNAL_ERROR): the ledger's purge must
be done before the probe declares.
"""

from __future__ import annotations

import threading

import pytest
import yaml
from rabbitfakes import stack

from hachaos.errors import HachaosError
from hachaos.events import EventBus
from hachaos.history import History, Outcome
from hachaos.node import ExecResult
from hachaos.probes.base import Attempt, Probe
from hachaos.scenario import runner
from hachaos.spec.scenario import ScenarioSpec
from hachaos.workloads.ledger import LEDGER_PROCESS, Ledger, LedgerStore

SPEC = """
name: order
stack: rabbitmq-cluster
probe: {type: amqp-publish, interval_ms: 10, timeout_ms: 100}
steady_state: {samples: 3, timeout_s: 0.3}
workload: {type: rabbitmq-ledger, interval_ms: 10, timeout_ms: 100, writers: 1}
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


def _fakes(monkeypatch: pytest.MonkeyPatch, events: _Events, store: LedgerStore) -> None:
    def make_probe(*_: object, **__: object) -> Probe:
        return _FailingProbe(events, "probe", "probe")

    monkeypatch.setattr(runner, "make_probe", make_probe)
    monkeypatch.setattr(runner, "make_store", lambda *_: store)


def _spec() -> ScenarioSpec:
    return ScenarioSpec.model_validate(yaml.safe_load(SPEC))


def test_ledger_store_is_prepared_before_the_probe_starts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = _Events()
    _fakes(monkeypatch, events, _SlowStore(events))
    prepared = runner.prepare_scenario(_spec(), stack(_no_exec)[0], EventBus(), seed=1)
    assert events.seen == ["store prepare started", "store prepared"]  # in the setup phase
    result = prepared.run_once()
    assert not result.steady.ok
    assert events.seen.count("store prepare started") == 1  # not prepared twice
    assert "probe attempt" in events.seen


class _BrokenStore(_SlowStore):
    """A store that cannot be set up (say the broker crashed the purge)."""

    def writer(self) -> Probe:
        raise HachaosError("ledger prepare on rabbit-1: (541) INTERNAL_ERROR; hint: ...")


def test_a_store_that_cannot_be_prepared_fails_the_preparation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = _Events()
    _fakes(monkeypatch, events, _BrokenStore(events))
    with pytest.raises(HachaosError, match="ledger prepare on rabbit-1"):
        runner.prepare_scenario(_spec(), stack(_no_exec)[0], EventBus(), seed=1)
    assert events.seen == []  # the probe never attempted anything


class _Closing(_FailingProbe):
    closed = False

    def close(self) -> None:
        self.closed = True


def test_a_prepared_run_that_never_starts_closes_the_ledger_writer() -> None:
    writer = _Closing(_Events(), LEDGER_PROCESS, "ledger")

    class _Store(_SlowStore):
        def writer(self) -> Probe:
            return writer

    ledger = Ledger(_Store(_Events()), History(), 0.01)
    ledger.prepare()
    ledger.close()
    assert writer.closed
