"""Redis with Sentinel: exactly one master, every replica's link to it up and the master
seeing all of them, and every Sentinel's `SENTINEL CKQUORUM` OK (enough Sentinels reachable to
agree a failover and authorise it)."""

from __future__ import annotations

from functools import partial

from hachaos.conformance.check import CLUSTER, Check, cannot_run
from hachaos.conformance.fields import select
from hachaos.conformance.health_spec import RedisSentinel
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec


def parse_info(text: str) -> dict[str, str]:
    """`INFO` output -> {field: value}."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition(":")
        if sep and not key.startswith("#"):
            out[key] = value
    return out


def _cli(node: str, port: int, args: list[str], target: Target) -> Ran:
    try:
        return target.shell(node).run(["redis-cli", "-p", str(port), *args], timeout_s=10)
    except NoConnection as exc:
        return Ran(-1, "", str(exc))


def info_of(node: str, spec: RedisSentinel, target: Target) -> dict[str, str] | Outcome:
    """`INFO replication` of a data node (once per target), or why it could not be read."""

    def read() -> dict[str, str] | Outcome:
        ran = _cli(node, spec.data_port, ["info", "replication"], target)
        info = parse_info(ran.stdout) if ran.ok else {}
        return info if "role" in info else cannot_run(node, "redis-cli info replication", ran)

    return target.memo(("redis", node), read)


def one_master(nodes: list[str], spec: RedisSentinel, target: Target) -> Outcome:
    """Exactly one data node is a master."""
    infos = {n: info_of(n, spec, target) for n in nodes}
    masters = [n for n, i in infos.items() if isinstance(i, dict) and i["role"] == "master"]
    down = [n for n, i in infos.items() if isinstance(i, Outcome)]
    if len(masters) == 1:
        return Outcome.passed(f"one master: {masters[0]}")
    seen = f"masters: {', '.join(masters) or 'none'}" + (
        f" (not answering: {', '.join(down)})" if down else ""
    )
    return Outcome.failed(
        seen,
        "let the Sentinels settle on one master (SENTINEL FAILOVER if none is), and make the "
        "others REPLICAOF it",
    )


def replicating(node: str, nodes: list[str], spec: RedisSentinel, target: Target) -> Outcome:
    """A replica's link to its master is up; a master sees every other data node online."""
    info = info_of(node, spec, target)
    if isinstance(info, Outcome):
        return info
    if info["role"] == "master":
        online = [k for k, v in info.items() if k.startswith("slave") and "state=online" in v]
        want = len(nodes) - 1
        if len(online) >= want:
            return Outcome.passed(f"{node} is the master with {len(online)} replicas online")
        return Outcome.failed(
            f"{node} is the master with {len(online)} of {want} replicas online",
            "start the missing replicas and check they REPLICAOF this master (masterauth, network)",
        )
    link = info.get("master_link_status", "?")
    master = f"{info.get('master_host', '?')}:{info.get('master_port', '?')}"
    if link == "up":
        return Outcome.passed(f"{node} replicates from {master}, link up")
    return Outcome.failed(
        f"{node} is a replica of {master} with its link {link}",
        f"check that {master} is the master and reachable from {node} (masterauth, firewall)",
    )


def ckquorum(node: str, spec: RedisSentinel, target: Target) -> Outcome:
    """`SENTINEL CKQUORUM master_name` on this Sentinel answers OK."""
    ran = _cli(node, spec.sentinel_port, ["sentinel", "ckquorum", spec.master_name], target)
    answer = " ".join(ran.stdout.split())
    if ran.ok and answer.startswith("OK"):
        return Outcome.passed(f"{node}: {answer}")
    if not answer:
        return cannot_run(node, f"redis-cli -p {spec.sentinel_port} sentinel ckquorum", ran)
    return Outcome.failed(
        f"{node}: SENTINEL CKQUORUM {spec.master_name}: {answer}",
        "run enough Sentinels that a majority can authorise a failover, and set the monitor's "
        "quorum no higher than the Sentinels that can agree (sentinel monitor NAME HOST PORT "
        "QUORUM)",
    )


def plan_redis(spec: RedisSentinel, stack: StackSpec) -> list[Check]:
    """One-master, a replication check per data node, a CKQUORUM check per Sentinel."""
    nodes = [n for key in spec.data_roles for n in select(key, stack)]
    checks = []
    if nodes:
        checks.append(
            Check(
                "replication",
                "/".join(spec.data_roles),
                CLUSTER,
                "redis-one-master",
                "exactly one Redis master",
                partial(one_master, nodes, spec),
            )
        )
    checks += [
        Check(
            "replication",
            stack.nodes[n].role,
            n,
            "redis-replication",
            f"{n} replicates (or is the master with every replica online)",
            partial(replicating, n, nodes, spec),
        )
        for n in nodes
    ]
    checks += [
        Check(
            "replication",
            spec.sentinel_role,
            n,
            "sentinel-ckquorum",
            f"{n}: SENTINEL CKQUORUM {spec.master_name} OK",
            partial(ckquorum, n, spec),
        )
        for n in select(spec.sentinel_role, stack)
    ]
    return checks
