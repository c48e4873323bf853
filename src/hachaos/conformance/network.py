"""Network checks: each role's documented ports are listening on its nodes (not only on
loopback), and reachable from the nodes of the roles that need them."""

from __future__ import annotations

from functools import partial

from hachaos.conformance.check import Check, cannot_run
from hachaos.conformance.facts import is_loopback
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.profile import Profile, Reach
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import NoConnection, Target
from hachaos.spec.models import StackSpec

CONNECT_TIMEOUT_S = 3
# One bash per source node tries every (host, port) at once; a connection that is neither
# accepted nor refused within CONNECT_TIMEOUT_S counts as blocked (a firewall dropping it).
REACH_SCRIPT = (
    'for hp in "$@"; do ( if timeout ' + str(CONNECT_TIMEOUT_S) + " bash -c "
    '\'exec 3<>"/dev/tcp/${0%:*}/${0##*:}"\' "$hp" 2>/dev/null; '
    'then echo "open $hp"; else echo "blocked $hp"; fi ) & done; wait'
)


def _ports(ports: tuple[int, ...] | list[int]) -> str:
    return ", ".join(map(str, ports))


def listens(node: str, ports: tuple[int, ...], target: Target) -> Outcome:
    """`node` listens on every port in `ports` on an address other machines can reach."""
    facts = target.facts(node)
    if isinstance(facts, Ran):
        return cannot_run(node, "ss -ltn", facts)
    missing = [p for p in ports if p not in facts.listening]
    loopback = [
        p for p in ports if p in facts.listening and all(map(is_loopback, facts.listening[p]))
    ]
    if not missing and not loopback:
        return Outcome.passed(f"{node} listens on {_ports(ports)}")
    wrong = []
    if missing:
        wrong.append(f"{node} does not listen on {_ports(missing)}")
    if loopback:
        wrong.append(f"{node} listens on {_ports(loopback)} on loopback only")
    return Outcome.failed(
        "; ".join(wrong),
        f"start the service that serves {_ports(missing + loopback)} on {node} and bind it "
        "to an address the other machines reach (not 127.0.0.1)",
    )


def reaches(node: str, reach: Reach, target: Target) -> Outcome:
    """`node` can open a TCP connection to every port of every node of `reach.role`."""
    peers = [p for p in target.selected(reach.role) if p != node]
    pairs = [f"{target.hostname(p)}:{port}" for p in peers for port in reach.ports]
    if not pairs:
        return Outcome.skipped(f"no other node of role {reach.role} to reach from {node}")
    try:
        shell = target.shell(node)
    except NoConnection as exc:
        return Outcome.failed(str(exc), "give the node a testinfra connection")
    ran = shell.run(["bash", "-c", REACH_SCRIPT, "reach", *pairs], timeout_s=CONNECT_TIMEOUT_S + 10)
    seen = {hp: state for state, _, hp in (line.partition(" ") for line in ran.stdout.splitlines())}
    if not ran.ok or set(seen) != set(pairs):
        return cannot_run(node, "bash /dev/tcp connect", ran)
    blocked = [hp for hp in pairs if seen[hp] != "open"]
    if not blocked:
        return Outcome.passed(f"{node} reaches {', '.join(pairs)}")
    return Outcome.failed(
        f"{node} cannot connect to {', '.join(blocked)} "
        f"(refused, or no answer within {CONNECT_TIMEOUT_S}s)",
        f"open these ports from {node} to the {reach.role} nodes (firewall, security group, "
        "network policy) and check their services listen",
    )


def plan_network(profile: Profile, spec: StackSpec) -> list[Check]:
    """A `listen` check per node of each role with ports, a `reach` check per node and
    required peer role."""
    checks = []
    for role, req in profile.roles.items():
        for node in profile.nodes_for(role, spec):
            if req.listen:
                checks.append(
                    Check(
                        "network",
                        role,
                        node,
                        "listen",
                        f"{node} listens on {_ports(req.listen)}",
                        partial(listens, node, req.listen),
                    )
                )
            for reach in req.reach:
                checks.append(
                    Check(
                        "network",
                        role,
                        node,
                        f"reach-{reach.role}",
                        f"{node} reaches the {reach.role} nodes on {_ports(reach.ports)}",
                        partial(reaches, node, reach),
                    )
                )
    return checks


def covers(role: str, spec: StackSpec, target: Target) -> Outcome:
    """The stack declares a node with `role` (the profile requires one)."""
    found = target.profile.nodes_for(role, spec)
    if found:
        return Outcome.passed(f"role {role}: {', '.join(found)}")
    return Outcome.failed(
        f"the profile {target.profile.name} requires role {role}; the stack declares no node "
        "with it",
        f"declare the {role} node(s) in stack {spec.name} (role: {role}), or check it with the "
        "profile of the product it runs",
    )


def plan_roles(profile: Profile, spec: StackSpec) -> list[Check]:
    """One check per role the profile lists: the stack has nodes of it."""
    return [
        Check(
            "roles",
            role,
            "cluster",
            "declared",
            f"the stack has {role} nodes",
            partial(covers, role, spec),
        )
        for role in profile.roles
    ]
