from rabbitfakes import NAMES, queues_json, view

from hachaos.topology.rabbitmq_ctl import node_name, parse_queues, parse_running
from hachaos.topology.rabbitmq_heal import ClusterHealth, NodeView, parse_view


def test_node_name_is_the_host_part() -> None:
    assert node_name("rabbit@rabbit-2") == "rabbit-2"
    assert node_name("plain") == "plain"


def test_parse_queues_maps_erlang_nodes_to_stack_nodes() -> None:
    qs = {q.name: q for q in parse_queues(queues_json("rabbit-3", online=NAMES[:2]))}
    q = qs["hachaos"]
    assert q.leader == "rabbit-3"
    assert q.members == NAMES
    assert q.online == ("rabbit-1", "rabbit-2")


def test_parse_queues_without_leader_and_empty_output() -> None:
    (q,) = [q for q in parse_queues(queues_json(None)) if q.name == "hachaos"]
    assert q.leader is None
    assert parse_queues("") == []


def test_parse_running_sorted_names() -> None:
    out = '{"running_nodes":["rabbit@rabbit-3","rabbit@rabbit-1"],"partitions":{}}'
    assert parse_running(out) == ("rabbit-1", "rabbit-3")


def test_parse_view_running_and_paused() -> None:
    v = parse_view("rabbit-1", view(True, NAMES))
    assert (v.reachable, v.running, v.sees, v.partitions) == (True, True, NAMES, ())
    p = parse_view("rabbit-3", view(False, ["rabbit-3"], ["rabbit-1", "rabbit-2"]))
    assert (p.running, p.sees, p.partitions) == (False, ("rabbit-3",), ("rabbit-1", "rabbit-2"))
    assert "app stopped" in p.describe() and "partitioned from rabbit-1,rabbit-2" in p.describe()


def test_unparsable_view_is_no_answer() -> None:
    v = parse_view("rabbit-2", "Error: unable to perform an operation on node")
    assert not v.reachable
    assert v.describe() == "rabbit-2: no answer"


def whole_views() -> list[NodeView]:
    return [NodeView(n, True, True, NAMES) for n in NAMES]


def test_whole_needs_every_view_full_and_queue_online() -> None:
    h = ClusterHealth(NAMES, tuple(whole_views()), queue_offline=())
    assert h.formed and h.whole and h.stuck() == ()
    assert not ClusterHealth(NAMES, tuple(whole_views()), queue_offline=None).whole
    assert not ClusterHealth(NAMES, tuple(whole_views()), queue_offline=("rabbit-3",)).whole


def test_stuck_paused_minority_node() -> None:
    views = [*whole_views()[:2], NodeView("rabbit-3", True, False, ("rabbit-3",))]
    h = ClusterHealth(NAMES, tuple(views))
    assert not h.formed
    assert h.stuck() == ("rabbit-3",)


def test_stuck_node_named_as_partitioned_by_the_majority() -> None:
    major = ("rabbit-1", "rabbit-2")
    views = [
        NodeView("rabbit-1", True, True, major, ("rabbit-3",)),
        NodeView("rabbit-2", True, True, major, ("rabbit-3",)),
        NodeView("rabbit-3", True, True, ("rabbit-3",), ("rabbit-1", "rabbit-2")),
    ]
    # the lone node's claims are not trusted: only the majority side's are
    assert ClusterHealth(NAMES, tuple(views)).stuck() == ("rabbit-3",)


def test_lone_node_listing_a_partition_the_majority_does_not_list() -> None:
    major = ("rabbit-2", "rabbit-3")
    views = [
        NodeView("rabbit-1", True, True, ("rabbit-1",), major),  # seen after a docker pause
        NodeView("rabbit-2", True, True, major),
        NodeView("rabbit-3", True, True, major),
    ]
    assert ClusterHealth(NAMES, tuple(views)).stuck() == ("rabbit-1",)


def test_unreachable_node_is_not_restarted_blindly() -> None:
    views = [*whole_views()[:2], NodeView("rabbit-3", False)]
    h = ClusterHealth(NAMES, tuple(views))
    assert not h.formed
    assert h.stuck() == ()
