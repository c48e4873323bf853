"""Discovery on every write: Sentinels asked in a rotating order, a dead one skipped, a write
failing only when no Sentinel answers; addresses looked up again only after a failure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import redis
from fakes import FakeNode
from redisfakes import FakePool

from hachaos.clients import redis_discovery
from hachaos.clients.redis_discovery import Endpoint, SentinelDiscovery
from hachaos.history import Outcome
from hachaos.probes import redis_discovery as probe_module
from hachaos.probes.redis_discovery import RedisDiscoveryWriteProbe
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.spec.workloads import RedisLedgerSpec
from hachaos.workloads.factory import make_store


class FakeRedis:
    """A Sentinel (answers `master`, or raises when `down`) and a master (records SETs)."""

    def __init__(self, world: World, endpoint: Endpoint) -> None:
        self.world = world
        self.endpoint = endpoint
        self.connection_pool = FakePool()

    def sentinel_get_master_addr_by_name(self, name: str) -> Any:
        self.world.asked.append(self.endpoint[1])
        if self.endpoint[1] in self.world.down:
            raise redis.ConnectionError("Error 111 connecting: Connection refused.")
        return self.world.master

    def set(self, key: str, value: str) -> None:
        if self.endpoint in self.world.refusing:
            raise redis.ConnectionError("Error 111 connecting: Connection refused.")
        self.world.writes.append((self.endpoint, key))

    def close(self) -> None:
        pass


class World:
    def __init__(self) -> None:
        self.master: Any = (b"10.0.0.2", b"6379")
        self.down: set[int] = set()
        self.refusing: set[Endpoint] = set()
        self.asked: list[int] = []
        self.writes: list[tuple[Endpoint, str]] = []
        self.resolved: list[int] = []
        self.translated: list[Endpoint] = []


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch) -> World:
    w = World()

    def client(host: str, port: int, timeout_s: float) -> FakeRedis:
        return FakeRedis(w, (host, port))

    monkeypatch.setattr(redis_discovery, "one_attempt_client", client)
    monkeypatch.setattr(probe_module, "one_attempt_client", client)
    return w


def discovery(w: World, n: int = 3) -> SentinelDiscovery:
    def resolver(i: int) -> Any:
        def resolve() -> Endpoint:
            w.resolved.append(i)
            return ("127.0.0.1", 26000 + i)

        return resolve

    def translate(host: str, port: int) -> Endpoint | None:
        w.translated.append((host, port))
        return ("127.0.0.1", 16379) if host == "10.0.0.2" else None

    return SentinelDiscovery([resolver(i) for i in range(n)], translate, "mymaster", 0.1)


def test_sentinels_are_asked_in_turn_and_a_dead_one_costs_one_query(world: World) -> None:
    d = discovery(world)
    assert [d.master(turn).asked for turn in range(3)] == [1, 1, 1]
    assert world.asked == [26000, 26001, 26002]
    world.down = {26001}
    world.asked.clear()
    found = [d.master(turn) for turn in range(3)]
    assert [f.asked for f in found] == [1, 2, 1]
    assert world.asked == [26000, 26001, 26002, 26002]
    assert {f.address for f in found} == {("127.0.0.1", 16379)}
    assert world.translated == [("10.0.0.2", 6379)]  # looked up once, then cached


def test_no_sentinel_answering_fails_discovery_naming_each(world: World) -> None:
    world.down = {26000, 26001, 26002}
    found = discovery(world).master(7)
    assert (found.named, found.address, found.asked) == (None, None, 3)
    assert found.error == (
        "Sentinel 2: ConnectionError; Sentinel 3: ConnectionError; Sentinel 1: ConnectionError"
    )


def test_a_failed_sentinel_is_resolved_again_a_working_one_is_not(world: World) -> None:
    d = discovery(world)
    d.master(0)
    d.master(0)
    assert world.resolved == [0]
    world.down = {26000}
    d.master(0)
    d.master(0)
    # Sentinel 1 failed in the first call: looked up again in the second (Sentinel 2 once)
    assert world.resolved == [0, 1, 0]


def test_a_sentinel_without_a_master_answer_is_skipped(world: World) -> None:
    world.master = None
    found = discovery(world, n=2).master(0)
    assert found.named is None and "no master known" in found.error


def _probe(world: World) -> RedisDiscoveryWriteProbe:
    return RedisDiscoveryWriteProbe(
        discovery(world),
        "p",
        0.5,
        {"10.0.0.2": "redis-1"}.get,  # type: ignore[arg-type]
    )


def test_the_probe_writes_where_the_sentinels_point_and_names_the_node(world: World) -> None:
    attempt = _probe(world).attempt(4)
    assert (attempt.outcome, attempt.key, attempt.value) == (Outcome.OK, "p:4", "redis-1")
    assert world.writes == [(("127.0.0.1", 16379), "p:4")]


def test_no_sentinel_answering_fails_the_write_unsent(world: World) -> None:
    world.down = {26000, 26001, 26002}
    attempt = _probe(world).attempt(0)
    assert (attempt.outcome, attempt.error) == (Outcome.FAIL, "NoSentinelAnswer")
    assert world.writes == []


def test_a_master_outside_the_stack_fails_the_write(world: World) -> None:
    world.master = (b"10.9.9.9", b"6379")
    assert _probe(world).attempt(0).error == "MasterNotInStack"


def test_a_refused_write_forgets_the_master_address(world: World) -> None:
    probe = _probe(world)
    world.refusing = {("127.0.0.1", 16379)}
    attempt = probe.attempt(0)
    assert (attempt.outcome, attempt.error) == (Outcome.FAIL, "ConnectionError")
    world.refusing = set()
    assert probe.attempt(1).outcome is Outcome.OK
    assert world.translated == [("10.0.0.2", 6379), ("10.0.0.2", 6379)]


def test_redis_ledger_can_discover_on_every_write(world: World) -> None:
    root = Path(__file__).resolve().parents[3]
    spec = load_stack(root / "fixtures" / "stacks" / "redis-sentinel.yaml")
    nodes = {
        n: FakeNode(n, published={26379: ("127.0.0.1", 26000 + i)})
        for i, n in enumerate(spec.nodes)
    }
    stack = RunningStack(spec, "hc-t", "fake", nodes, 0.0)
    ledger = RedisLedgerSpec(type="redis-ledger", discovery="every-write")
    writer = make_store(ledger, stack, "hachaos:hc-t").writer()
    assert isinstance(writer, RedisDiscoveryWriteProbe) and writer.process == "ledger"
    writer.attempt(0)
    assert world.asked == [26003]  # sentinel-1, the first declared Sentinel
