"""The generic ledger: scheduled unique writes, final read, and the set check on the result."""

from __future__ import annotations

import threading

import pytest

from hachaos.checks.data import check_set
from hachaos.clock import FakeClock
from hachaos.history import History, Outcome
from hachaos.probes.base import Attempt
from hachaos.workloads.ledger import LEDGER_PROCESS, Ledger, ledger_key, ledger_prefix


class _Writer:
    """Writes keys into a shared set; seq 3 is refused, seq 4 lands without an answer."""

    process = LEDGER_PROCESS
    kind = "write"

    def __init__(self, store: _Store) -> None:
        self._store = store

    def attempt(self, seq: int) -> Attempt:
        key = ledger_key(self._store.prefix, seq)
        if seq == 3:
            return Attempt(Outcome.FAIL, "Refused", key)
        self._store.keys.add(key)
        if seq == 4:
            return Attempt(Outcome.UNKNOWN, "Timeout", key)
        if seq >= 8:
            self._store.enough.set()
        return Attempt(Outcome.OK, key=key)

    def close(self) -> None:
        pass


class _Store:
    def __init__(self, read_fails: int = 0) -> None:
        self.prefix = ledger_prefix("hachaos:run")
        self.keys: set[str] = set()
        self.enough = threading.Event()
        self.read_fails = read_fails
        self.lose: set[str] = set()

    def writer(self) -> _Writer:
        return _Writer(self)

    def read_back(self) -> tuple[str, ...]:
        if self.read_fails:
            self.read_fails -= 1
            raise ConnectionError("no primary yet")
        return tuple(sorted(self.keys - self.lose))


def _run(store: _Store, history: History) -> Ledger:
    ledger = Ledger(store, history, interval_s=0.001)
    with ledger.running():
        assert store.enough.wait(5)
    return ledger


def test_keys_and_prefix() -> None:
    assert ledger_prefix("hachaos:hc-1") == "hachaos:hc-1:ledger"
    assert ledger_key("p", 12) == "p:12"


def test_final_read_after_retries_and_lost_key() -> None:
    store, history = _Store(read_fails=2), History()
    ledger = _run(store, history)
    assert ledger.writes >= 9
    store.lose = {ledger_key(store.prefix, 1)}  # acknowledged, then lost by "failover"
    read = ledger.final_read(timeout_s=5, interval_s=0.001)
    assert read.complete
    result = check_set(history, process_prefix=LEDGER_PROCESS)
    assert result.valid is False
    assert result.lost == (ledger_key(store.prefix, 1),)
    assert result.recovered == (ledger_key(store.prefix, 4),)
    assert ledger_key(store.prefix, 3) not in read.keys


def test_final_read_deadline_gives_incomplete_read() -> None:
    store, history = _Store(read_fails=10**6), History()
    ledger = Ledger(store, history, interval_s=0.01, clock=FakeClock())
    read = ledger.final_read(timeout_s=2, interval_s=0.5)
    assert not read.complete
    assert history.final_reads == (read,)
    assert check_set(history).valid is None  # unknown, never a pass


class _Counter:
    """A writer that records every key it is asked to write."""

    process = LEDGER_PROCESS
    kind = "write"

    def __init__(self, seen: list[str], done: threading.Event) -> None:
        self._seen = seen
        self._done = done

    def attempt(self, seq: int) -> Attempt:
        key = ledger_key("p", seq)
        self._seen.append(key)
        if len(self._seen) >= 40:
            self._done.set()
        return Attempt(Outcome.OK, key=key)

    def close(self) -> None:
        pass


class _ManyStore:
    def __init__(self) -> None:
        self.seen: list[str] = []
        self.done = threading.Event()
        self.writers = 0

    def writer(self) -> _Counter:
        self.writers += 1
        return _Counter(self.seen, self.done)

    def read_back(self) -> tuple[str, ...]:
        return tuple(self.seen)


def test_concurrent_writers_write_unique_keys_each_with_its_client() -> None:
    store, history = _ManyStore(), History()
    ledger = Ledger(store, history, interval_s=0.0, writers=4)
    with ledger.running():
        assert store.done.wait(5)
    assert store.writers == 4
    keys = [op.key for op in history.ops]
    assert {k for k in keys if k is not None} >= {ledger_key("p", i) for i in range(4)}
    assert len(keys) == len(set(keys)) == ledger.writes >= 40


def test_writers_must_be_positive() -> None:
    with pytest.raises(ValueError, match="writers must be >= 1, got 0"):
        Ledger(_ManyStore(), History(), interval_s=0.01, writers=0)


def test_incomplete_final_read_keeps_the_last_reason() -> None:
    store, history = _Store(read_fails=10**6), History()
    ledger = Ledger(store, history, interval_s=0.01, clock=FakeClock())
    assert ledger.read_error is None
    ledger.final_read(timeout_s=2, interval_s=0.5)
    assert ledger.read_error is not None
    assert ledger.read_error.startswith("ledger final read: not reached within 2s")
    assert "ConnectionError: no primary yet" in ledger.read_error
