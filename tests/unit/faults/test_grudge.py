import random

import pytest

from hachaos.errors import HachaosError
from hachaos.faults import grudge

N5 = ["n1", "n2", "n3", "n4", "n5"]


def connected(cut: grudge.Cut, a: str, b: str) -> bool:
    return (a, b) not in cut.blocked and (b, a) not in cut.blocked


def test_isolate_cuts_the_target_from_everyone_both_ways() -> None:
    cut = grudge.isolate(["n1"], ["n1", "n2", "n3"])
    assert cut.blocked == {("n1", "n2"), ("n1", "n3"), ("n2", "n1"), ("n3", "n1")}
    assert not cut.one_way
    assert cut.describe() == "n1 -x- n2, n3"


def test_split_groups_and_untouched_nodes() -> None:
    cut = grudge.split([["a", "b"], ["c"]])
    assert connected(cut, "a", "b")
    assert not connected(cut, "a", "c")
    assert cut.nodes() == ["a", "b", "c"]


@pytest.mark.parametrize(
    "groups, message",
    [([["a"], ["a", "b"]], "more than one group"), ([["a"], []], "two non-empty groups")],
)
def test_split_rejects_bad_groups(groups: list[list[str]], message: str) -> None:
    with pytest.raises(HachaosError, match=message):
        grudge.split(groups)


def test_one_way_blocks_only_the_sources_direction() -> None:
    cut = grudge.one_way(["n1"], ["n1", "n2", "n3"])
    assert cut.one_way
    assert cut.blocked == {("n1", "n2"), ("n1", "n3")}
    assert cut.describe() == "n1 -/-> n2, n3"


def test_isolate_needs_someone_on_both_sides() -> None:
    with pytest.raises(HachaosError, match="at least one target and one other"):
        grudge.isolate(["n1"], ["n1"])


def test_bridge_has_one_node_in_both_halves() -> None:
    cut = grudge.bridge(N5, random.Random(3))
    untouched = set(N5) - set(cut.nodes())
    assert len(untouched) == 1  # the bridge talks to everyone
    [bridge] = untouched
    others = sorted(set(N5) - {bridge})
    # the other four form two pairs that can talk within, not across
    reach = {n: {m for m in others if m != n and connected(cut, n, m)} for n in others}
    assert all(len(r) == 1 for r in reach.values())


def test_bridge_is_seeded() -> None:
    assert grudge.bridge(N5, random.Random(7)) == grudge.bridge(N5, random.Random(7))


@pytest.mark.parametrize("n", [3, 5, 7])
def test_majorities_ring_each_node_sees_a_distinct_majority(n: int) -> None:
    nodes = [f"n{i}" for i in range(n)]
    cut = grudge.majorities_ring(nodes, random.Random(1))
    views = {a: frozenset(b for b in nodes if (b, a) not in cut.blocked) for a in nodes}
    assert all(len(v) == n // 2 + 1 for v in views.values())
    assert len(set(views.values())) == n
    if (n // 2 + 1) % 2 == 1:  # an odd window is centred: the grudge is symmetric
        assert all((b, a) in cut.blocked for a, b in cut.blocked)


def test_ring_and_bridge_need_three_nodes() -> None:
    with pytest.raises(HachaosError, match="at least 3"):
        grudge.majorities_ring(["a", "b"], random.Random(0))
    with pytest.raises(HachaosError, match="at least 3"):
        grudge.bridge(["a", "b"], random.Random(0))
