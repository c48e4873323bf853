"""Replication and quorum health on fake nodes: Postgres streaming and lag, Redis replication
and CKQUORUM, RabbitMQ members, quorum queue and quorum-critical nodes, etcd, quorum size and
a product's own command."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from conffakes import Answer, stack_of, target_of, when

from hachaos.conformance.health.etcd import members
from hachaos.conformance.health.postgres import parse_lsn, parse_state
from hachaos.conformance.outcome import Outcome, Status
from hachaos.conformance.plan import plan
from hachaos.conformance.shell import Ran


def judged(
    stack: Mapping[str, Any], health: Sequence[Mapping[str, Any]], shells: dict[str, list[Answer]]
) -> dict[str, Outcome]:
    spec = stack_of(dict(stack))
    target, _ = target_of(spec, {"health": list(health)}, shells)
    return {c.id: c.judge(target) for c in plan(target.profile, spec, "replication")}


PG: dict[str, Any] = {
    "name": "pg",
    "nodes": {
        "pg-1": {"role": "primary"},
        "pg-2": {"role": "replica"},
        "pg-3": {"role": "replica"},
    },
}


def test_lsn_and_state_parsing() -> None:
    assert parse_lsn("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert parse_lsn("") is None
    assert parse_state("t|streaming|0/3000060\n") is not None
    assert parse_state("psql: error") is None


def test_postgres_streaming_with_lag_bounds_and_a_stopped_standby() -> None:
    down = Ran(1, "", "Error response from daemon: Container abc is not running")
    got = judged(
        PG,
        [{"kind": "postgres-streaming", "max_lag_bytes": 1000}],
        {
            "pg-1": [when("psql", "f||0/5000")],
            "pg-2": [when("psql", "t|streaming|0/4F00")],  # 256 B behind
            "pg-3": [lambda argv: down],
        },
    )
    assert got["primary/replica/cluster/postgres-one-primary"].status is Status.PASS
    assert got["primary/pg-1/postgres-streaming"].observed == "pg-1 is the primary"
    assert got["replica/pg-2/postgres-streaming"].observed == "pg-2 streams from pg-1, lag 256 B"
    stopped = got["replica/pg-3/postgres-streaming"]
    assert stopped.status is Status.FAIL and "not running" in stopped.observed
    assert "start pg-3" in stopped.fix


def test_postgres_lag_over_budget_and_a_receiver_that_is_not_streaming() -> None:
    got = judged(
        PG,
        [{"kind": "postgres-streaming", "max_lag_bytes": 10}],
        {
            "pg-1": [when("psql", "f||1/0")],
            "pg-2": [when("psql", "t|streaming|0/FFFFFF00")],
            "pg-3": [when("psql", "t||0/0")],
        },
    )
    assert "lags 256 B > 10 B" in got["replica/pg-2/postgres-streaming"].observed
    assert "WAL receiver is not running" in got["replica/pg-3/postgres-streaming"].observed


def test_postgres_two_primaries_is_split_brain() -> None:
    got = judged(
        PG, [{"kind": "postgres-streaming"}], {n: [when("psql", "f||0/1")] for n in PG["nodes"]}
    )
    outcome = got["primary/replica/cluster/postgres-one-primary"]
    assert outcome.status is Status.FAIL and "split brain" in outcome.fix


REDIS: dict[str, Any] = {
    "name": "r",
    "nodes": {
        "redis-1": {"role": "master"},
        "redis-2": {"role": "replica"},
        "sentinel-1": {"role": "sentinel"},
    },
}
NOQUORUM = (
    "NOQUORUM 3 usable Sentinels. Not enough available Sentinels to reach the specified quorum "
    "for this master"
)


def test_redis_replication_and_ckquorum() -> None:
    got = judged(
        REDIS,
        [{"kind": "redis-sentinel"}],
        {
            "redis-1": [
                when(
                    "info",
                    "# Replication\nrole:master\nconnected_slaves:1\n"
                    "slave0:ip=x,port=6379,state=online\n",
                )
            ],
            "redis-2": [
                when(
                    "info",
                    "role:slave\nmaster_host:redis-1\nmaster_port:6379\nmaster_link_status:down\n",
                )
            ],
            "sentinel-1": [when("ckquorum", NOQUORUM + "\n")],
        },
    )
    assert got["master/replica/cluster/redis-one-master"].status is Status.PASS
    assert got["master/redis-1/redis-replication"].status is Status.PASS
    link = got["replica/redis-2/redis-replication"]
    assert link.status is Status.FAIL and "link down" in link.observed
    quorum = got["sentinel/sentinel-1/sentinel-ckquorum"]
    assert quorum.status is Status.FAIL
    assert quorum.observed.startswith("sentinel-1: SENTINEL CKQUORUM mymaster: NOQUORUM 3 usable")
    assert "set the monitor's quorum no higher" in quorum.fix


RABBIT: dict[str, Any] = {
    "name": "mq",
    "nodes": {f"rabbit-{i}": {"role": "rabbit"} for i in (1, 2, 3)},
}
STATUS = json.dumps({"running_nodes": ["rabbit@rabbit-1", "rabbit@rabbit-2"]})


def _queues(online: list[str]) -> str:
    members = [f"rabbit@rabbit-{i}" for i in (1, 2, 3)]
    return json.dumps(
        [
            {
                "name": "hachaos",
                "type": "quorum",
                "members": members,
                "online": online,
                "leader": "rabbit@rabbit-1",
            }
        ]
    )


def test_rabbitmq_members_queue_and_critical_nodes() -> None:
    critical = Ran(69, "", "Error: Node rabbit@rabbit-1 is quorum critical for queues: hachaos")
    shells = {
        n: [
            when("cluster_status", STATUS),
            when("list_queues", _queues(["rabbit@rabbit-1", "rabbit@rabbit-2"])),
            lambda a: critical if "check_if_node_is_quorum_critical" in a else None,
        ]
        for n in ("rabbit-1", "rabbit-2")
    }
    shells["rabbit-3"] = [when("rabbit", "", rc=1, stderr="Container x is not running")]
    got = judged(RABBIT, [{"kind": "rabbitmq", "queue": "hachaos"}], shells)
    assert "members not running: rabbit-3" in got["rabbit/cluster/rabbitmq-members"].observed
    queue = got["rabbit/cluster/rabbitmq-quorum-queue"]
    assert queue.status is Status.FAIL and "offline: rabbit@rabbit-3" in queue.observed
    assert "is quorum critical" in got["rabbit/rabbit-1/rabbitmq-not-critical"].observed
    assert got["rabbit/rabbit-3/rabbitmq-not-critical"].status is Status.FAIL


def test_rabbitmq_queue_not_declared_yet_skips_only_when_allowed() -> None:
    shells = {n: [when("list_queues", "[]")] for n in RABBIT["nodes"]}
    optional = judged(RABBIT, [{"kind": "rabbitmq", "queue": "q", "queue_required": False}], shells)
    assert optional["rabbit/cluster/rabbitmq-quorum-queue"].status is Status.SKIP
    required = judged(RABBIT, [{"kind": "rabbitmq", "queue": "q"}], shells)
    assert "does not exist" in required["rabbit/cluster/rabbitmq-quorum-queue"].observed


ETCD: dict[str, Any] = {"name": "e", "nodes": {f"etcd-{i}": {"role": "etcd"} for i in (1, 2, 3)}}


def test_etcd_health_and_members() -> None:
    listed = json.dumps({"members": [{"name": "etcd-1"}, {"name": "etcd-2"}, {"peerURLs": ["x"]}]})
    assert members(listed) == (["etcd-1", "etcd-2"], 3)
    shells = {
        n: [when("health", "127.0.0.1:2379 is healthy: committed"), when("member", listed)]
        for n in ETCD["nodes"]
    }
    shells["etcd-3"] = [when("health", "", rc=1, stderr="unhealthy: context deadline exceeded")]
    got = judged(ETCD, [{"kind": "etcd"}], shells)
    assert "the cluster lists 3 members, 2 started" in got["etcd/cluster/etcd-members"].observed
    assert got["etcd/etcd-1/etcd-health"].status is Status.PASS
    assert "etcd is not healthy" in got["etcd/etcd-3/etcd-health"].observed


def test_quorum_size_and_a_product_command() -> None:
    two = {"name": "q", "nodes": {"q-1": {"role": "app"}, "q-2": {"role": "app"}}}
    got = judged(
        two,
        [
            {"kind": "quorum-size", "role": "app"},
            {
                "kind": "command",
                "name": "replication-mode",
                "role": "app",
                "run": ["appliance", "status"],
                "expect": "^mode: replication$",
                "fix": "appliance replicate --from the primary",
            },
        ],
        {
            "q-1": [when("status", "mode: primary\n")],
            "q-2": [when("status", "mode: replication\n")],
        },
    )
    size = got["app/cluster/quorum-size"]
    assert (
        size.status is Status.FAIL and "2 app nodes; a quorum cluster needs 1/3/5" in size.observed
    )
    primary = got["app/q-1/replication-mode"]
    assert primary.status is Status.FAIL and primary.fix == "appliance replicate --from the primary"
    assert got["app/q-2/replication-mode"].status is Status.PASS


def test_quorum_members_counted_from_the_cluster() -> None:
    three = {"name": "q", "nodes": {f"q-{i}": {"role": "etcd"} for i in (1, 2, 3)}}
    health = [
        {
            "kind": "quorum-size",
            "role": "etcd",
            "members": {"run": ["etcdctl", "member", "list"], "count": ", started, "},
        }
    ]
    listing = "a, started, q-1\nb, started, q-2\n"
    got = judged(three, health, {"q-1": [when("member", listing)]})
    assert (
        "3 etcd nodes but the cluster reports 2 members" in got["etcd/cluster/quorum-size"].observed
    )
