"""Network and hardware checks on fake nodes: facts parsing, listening (not only on loopback),
reachability, minimums; a node that cannot be asked fails with how to fix it."""

from __future__ import annotations

from conffakes import stack_of, target_of, when

from hachaos.conformance.facts import facts_argv, is_loopback, parse_facts
from hachaos.conformance.outcome import Status
from hachaos.conformance.plan import plan
from hachaos.conformance.shell import Ran

FACTS = """## ss
LISTEN 0 128 0.0.0.0:6379 0.0.0.0:*
LISTEN 0 128 [::]:6379 [::]:*
LISTEN 0 4096 127.0.0.1:8080 0.0.0.0:*
LISTEN 0 128 *:26379 *:*
## nproc
2
## mem
MemTotal:       24683584 kB
## df
Filesystem     1024-blocks     Used Available Capacity Mounted on
overlay          264212084 35245536  71145376      34% /
"""

STACK = stack_of(
    {
        "name": "demo",
        "nodes": {
            "redis-1": {"role": "master"},
            "redis-2": {"role": "replica"},
            "sentinel-1": {"role": "sentinel"},
        },
    }
)


def test_facts_are_parsed_from_one_command() -> None:
    facts = parse_facts(FACTS, "/")
    assert facts.listening[6379] == ("0.0.0.0", "[::]")
    assert facts.cpus == 2 and facts.memory_kib == 24683584 and facts.disk_kib == 264212084
    assert facts.reachable_ports() == {6379, 26379}
    assert is_loopback("127.0.0.1") and is_loopback("[::1]") and not is_loopback("*")
    assert facts_argv("/var/lib")[-1] == "/var/lib"
    empty = parse_facts("", "/")
    assert empty.cpus is None and empty.listening == {}


def test_listen_passes_and_fails_with_the_fix() -> None:
    profile = {"roles": {"master": {"listen": [6379, 8080, 9999]}, "sentinel": {"listen": [26379]}}}
    target, _ = target_of(
        STACK, profile, {"redis-1": [when("ss", FACTS)], "sentinel-1": [when("ss", FACTS)]}
    )
    checks = {c.subject: c for c in plan(target.profile, STACK, "network")}
    assert checks["sentinel-1"].judge(target).status is Status.PASS
    failed = checks["redis-1"].judge(target)
    assert failed.status is Status.FAIL
    assert "does not listen on 9999" in failed.observed
    assert "listens on 8080 on loopback only" in failed.observed
    assert "bind it to an address the other machines reach" in failed.fix


def test_a_node_that_cannot_be_asked_fails_saying_so() -> None:
    down = Ran(1, "", "Error response from daemon: Container 3f2a is not running")
    target, _ = target_of(
        STACK, {"roles": {"master": {"listen": [6379]}}}, {"redis-1": [lambda a: down]}
    )
    [check] = plan(target.profile, STACK, "network")
    outcome = check.judge(target)
    assert outcome.status is Status.FAIL
    assert "is not running" in outcome.observed and "start redis-1" in outcome.fix


def test_reach_reports_the_blocked_pairs() -> None:
    def bash(argv: list[str]) -> Ran | None:
        if argv[0] != "bash":
            return None
        pairs = argv[4:]
        return Ran(
            0, "".join(f"{'blocked' if p.endswith(':26379') else 'open'} {p}\n" for p in pairs)
        )

    profile = {
        "roles": {
            "sentinel": {
                "reach": [
                    {"role": "master", "ports": [6379]},
                    {"role": "replica", "ports": [6379, 26379]},
                ]
            }
        }
    }
    target, shells = target_of(STACK, profile, {"sentinel-1": [bash]})
    to_master, to_replica = plan(target.profile, STACK, "network")
    assert to_master.judge(target).status is Status.PASS
    failed = to_replica.judge(target)
    assert failed.status is Status.FAIL
    assert "cannot connect to redis-2:26379" in failed.observed
    assert "redis-2:6379" not in failed.observed
    assert shells["sentinel-1"].ran[-1][4:] == ["redis-2:6379", "redis-2:26379"]


def test_reach_without_output_for_every_pair_is_not_a_pass() -> None:
    profile = {"roles": {"sentinel": {"reach": [{"role": "master", "ports": [6379]}]}}}
    target, _ = target_of(STACK, profile, {"sentinel-1": [when("bash", "", rc=127)]})
    [check] = plan(target.profile, STACK, "network")
    assert check.judge(target).status is Status.FAIL


def test_roles_the_profile_requires_must_exist() -> None:
    target, _ = target_of(STACK, {"roles": {"master": {}, "worker": {}}}, {})
    master, worker = plan(target.profile, STACK, "roles")
    assert master.judge(target).status is Status.PASS
    missing = worker.judge(target)
    assert missing.status is Status.FAIL and "declares no node with it" in missing.observed


def test_hardware_against_defaults_and_a_smaller_profile() -> None:
    answers = {n: [when("nproc", FACTS)] for n in STACK.nodes}
    target, _ = target_of(STACK, {}, answers)
    checks = plan(target.profile, STACK, "hardware")
    assert len(checks) == 3
    failed = checks[0].judge(target)
    assert failed.status is Status.FAIL
    assert "2 CPUs < 8" in failed.observed and "memory" not in failed.observed
    assert "lower the minimums in the profile" in failed.fix
    small, _ = target_of(STACK, {"hardware": {"cpus": 1, "memory_gib": 1, "disk_gb": 5}}, answers)
    assert all(c.judge(small).status is Status.PASS for c in plan(small.profile, STACK, "hardware"))


def test_memory_slack_is_five_percent() -> None:
    from hachaos.conformance.hardware import shortfalls
    from hachaos.conformance.profile import Hardware

    hw = Hardware(cpus=1, memory_gib=16, disk_gb=1)
    installed_16 = int(15.6 * 1024 * 1024)  # what a 16 GiB machine reports as MemTotal
    assert shortfalls(hw, 1, installed_16, 10**9) == []
    assert shortfalls(hw, 1, 14 * 1024 * 1024, 10**9) == ["14.0 GiB memory < 16 GiB"]
