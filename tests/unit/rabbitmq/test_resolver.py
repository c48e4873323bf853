import pytest
from rabbitfakes import NAMES, queues_json, stack

from hachaos.errors import HachaosError
from hachaos.node import ExecResult
from hachaos.spec.models import Role
from hachaos.topology import resolver_for
from hachaos.topology.rabbitmq import RabbitMQResolver, amqp_endpoints

STATUS = '{"running_nodes":["rabbit@rabbit-1","rabbit@rabbit-2"]}'


def answers(leader: str | None = "rabbit-2", down: tuple[str, ...] = ()):
    def answer(node: str, cmd: tuple[str, ...]) -> ExecResult:
        if node in down:
            return ExecResult(69, "Error: unable to perform an operation on node")
        if "list_queues" in cmd:
            return ExecResult(0, queues_json(leader, online=("rabbit-1", "rabbit-2")))
        if "cluster_status" in cmd:
            return ExecResult(0, STATUS)
        return ExecResult(1, "unexpected")

    return answer


def names(nodes) -> list[str]:
    return [n.name for n in nodes]


def test_resolver_registered_for_rabbitmq_topology() -> None:
    st, _ = stack(answers())
    assert isinstance(resolver_for(st), RabbitMQResolver)


def test_primary_is_the_quorum_leader_replicas_the_other_online_members() -> None:
    st, _ = stack(answers("rabbit-2"))
    r = RabbitMQResolver(st)
    assert names(r.holders(Role.PRIMARY)) == ["rabbit-2"]
    assert names(r.holders(Role.MASTER)) == ["rabbit-2"]
    assert names(r.holders(Role.REPLICA)) == ["rabbit-1"]  # rabbit-3 is offline


def test_rabbit_role_is_what_the_cluster_lists_as_running() -> None:
    st, _ = stack(answers())
    assert names(RabbitMQResolver(st).holders(Role.RABBIT)) == ["rabbit-1", "rabbit-2"]


def test_asks_the_next_node_when_one_does_not_answer() -> None:
    st, nodes = stack(answers(down=("rabbit-1",)))
    nodes["rabbit-2"].running = False
    assert names(RabbitMQResolver(st).holders(Role.PRIMARY)) == ["rabbit-2"]
    assert nodes["rabbit-2"].calls == []  # not running: not asked
    assert len(nodes["rabbit-3"].calls) == 1


def test_no_answer_and_no_leader_are_one_line_errors() -> None:
    st, _ = stack(answers(down=NAMES))
    with pytest.raises(HachaosError, match="no RabbitMQ node of run hc-test answers"):
        RabbitMQResolver(st).holders(Role.PRIMARY)
    st, _ = stack(answers(leader=None))
    with pytest.raises(HachaosError, match="has no leader"):
        RabbitMQResolver(st).holders(Role.PRIMARY)


def test_missing_queue_says_who_declares_it() -> None:
    def answer(node: str, cmd: tuple[str, ...]) -> ExecResult:
        return ExecResult(0, "[]")

    st, _ = stack(answer)
    with pytest.raises(HachaosError, match="declared by the first amqp-publish probe"):
        RabbitMQResolver(st).leader()


def test_endpoints_follow_published_ports() -> None:
    st, nodes = stack(answers(), rabbit_1=5001, rabbit_3=5003)
    eps = amqp_endpoints(st)
    assert [(e.node, e.port) for e in eps()] == [("rabbit-1", 5001), ("rabbit-3", 5003)]
    nodes["rabbit-2"].published[5672] = ("127.0.0.1", 5002)  # restarted: a new port
    assert [e.port for e in eps()] == [5001, 5002, 5003]
