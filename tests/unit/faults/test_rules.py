import json
import random

import pytest

from hachaos.faults import grudge
from hachaos.faults.rules import Rule, plan_rules, rule_tag, run_tag_prefix
from hachaos.firewall import nsfw
from hachaos.firewall.nsfw import tagged_rules

IPS = {f"n{i}": f"10.0.0.{i}" for i in range(1, 7)}
TAG = rule_tag("hc-1", "partition-ab")


def test_tags_carry_run_and_fault() -> None:
    assert TAG == "hachaos:hc-1:partition-ab"
    assert TAG.startswith(run_tag_prefix("hc-1"))


def test_rule_arguments() -> None:
    assert Rule("INPUT", "10.0.0.2").args(TAG) == [
        "-A",
        "INPUT",
        "-s",
        "10.0.0.2/32",
        "-m",
        "comment",
        "--comment",
        TAG,
        "-j",
        "DROP",
    ]
    one_way = Rule("OUTPUT", "10.0.0.3", originated_only=True).args(TAG)
    assert one_way[:4] == ["-A", "OUTPUT", "-d", "10.0.0.3/32"]
    assert one_way[4:8] == ["-m", "conntrack", "--ctdir", "ORIGINAL"]


def test_isolate_puts_every_rule_on_the_isolated_node_only() -> None:
    [only] = plan_rules(grudge.isolate(["n1"], ["n1", "n2", "n3"]), IPS)
    assert only.node == "n1"
    assert only.blocked_peers == ("n2", "n3")
    assert sorted((r.chain, r.peer_ip) for r in only.rules) == [
        ("INPUT", "10.0.0.2"),
        ("INPUT", "10.0.0.3"),
        ("OUTPUT", "10.0.0.2"),
        ("OUTPUT", "10.0.0.3"),
    ]


def test_two_by_two_split_uses_one_side() -> None:
    plan = plan_rules(grudge.split([["n1", "n2"], ["n3", "n4"]]), IPS)
    covered = {frozenset((p.node, peer)) for p in plan for peer in p.blocked_peers}
    assert covered == {frozenset((a, b)) for a in ("n1", "n2") for b in ("n3", "n4")}
    assert len(plan) == 2


def test_one_way_rules_sit_on_the_sources_and_track_connections() -> None:
    [only] = plan_rules(grudge.one_way(["n2"], ["n1", "n2", "n3"]), IPS)
    assert only.node == "n2"
    assert all(r.chain == "OUTPUT" and r.originated_only for r in only.rules)
    assert only.blocked_peers == ("n1", "n3")


def test_asymmetric_grudge_gets_input_drops_on_the_receiver() -> None:
    cut = grudge.Cut(frozenset({("n1", "n2")}))
    [only] = plan_rules(cut, IPS)
    assert only.node == "n2"
    assert only.rules == (Rule("INPUT", "10.0.0.1"),)


def test_every_cut_edge_is_covered_for_a_ring() -> None:
    nodes = [f"n{i}" for i in range(1, 6)]
    cut = grudge.majorities_ring(nodes, random.Random(2))
    plan = plan_rules(cut, IPS)
    covered = {frozenset((p.node, peer)) for p in plan for peer in p.blocked_peers}
    assert covered == {frozenset(e) for e in cut.blocked}


SAVE = [
    "-P INPUT ACCEPT",
    '-A INPUT -s 10.0.0.2/32 -m comment --comment "hachaos:hc-1:partition-ab" -j DROP',
    '-A OUTPUT -d 10.0.0.2/32 -m comment --comment "hachaos:hc-1:partition-cd" -j DROP',
    '-A OUTPUT -d 10.0.0.9/32 -m comment --comment "hachaos:hc-2:partition-ab" -j DROP',
    "-A OUTPUT -d 10.0.0.7/32 -j DROP",
]


def test_helper_finds_rules_by_exact_tag_or_run_prefix() -> None:
    exact = tagged_rules(SAVE, TAG, prefix=False)
    assert [r[1] for r in exact] == ["INPUT"]
    assert exact[0][-1] == "DROP"
    run = tagged_rules(SAVE, run_tag_prefix("hc-1"), prefix=True)
    assert len(run) == 2
    assert tagged_rules(SAVE, "hachaos:hc-3:", prefix=True) == []


def test_without_iptables_a_sweep_finds_nothing_and_a_cut_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A host with no iptables has none of our rules (a reaper's or teardown's sweep is done),
    but a fault that must add rules fails with one line naming the package."""
    monkeypatch.setattr(nsfw, "IPTABLES", ["/nonexistent/iptables"])
    swept = nsfw.main(json.dumps({"remove": "hachaos:hc-1", "prefix": True}))
    assert (swept["removed"], swept["error"]) == (0, None)
    cut = nsfw.main(json.dumps({"add": [["-A", "INPUT", "-j", "DROP"]]}))
    assert cut["added"] == 0
    assert cut["error"] == (
        "iptables is not installed here: install it (Debian: apt-get install iptables) for "
        "firewall faults"
    )
