"""Every partition mode on a real 3-node tools stack: efficacy verified, healed after revert."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from tests_support import booted

from hachaos.backends.docker.backend import DockerBackend
from hachaos.clock import REAL_CLOCK
from hachaos.faults.grudge import Cut
from hachaos.faults.partition import PartitionFault
from hachaos.faults.registry import FaultContext, build_faults
from hachaos.history import History
from hachaos.reaper.journal import Journal
from hachaos.running import RunningStack
from hachaos.spec.faults import FaultSpec
from hachaos.spec.models import StackSpec
from hachaos.topology import resolver_for

pytestmark = pytest.mark.integration

NODES = ("n1", "n2", "n3")
TOOLS3 = StackSpec.model_validate(
    {"name": "tools3", "image": "hachaos/tools", "nodes": {n: {"role": "app"} for n in NODES}}
)
PROBE = (
    "import socket,sys\n"
    "try:\n"
    "    socket.create_connection((sys.argv[1], 1), timeout=0.5).close(); print('open')\n"
    "except ConnectionRefusedError: print('reach')\n"
    "except OSError as e: print('blocked', e)\n"
)


@pytest.fixture(scope="module")
def tools3(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    with booted(docker_backend, TOOLS3) as stack:
        yield stack


def build(stack: RunningStack, data: dict[str, object], tmp_path: Path) -> list:
    ctx = FaultContext(
        stack,
        resolver_for(stack),
        History(),
        random.Random(4),
        REAL_CLOCK,
        journal=Journal.for_run(stack.run_id, tmp_path),
    )
    return build_faults(TypeAdapter(FaultSpec).validate_python(data), ctx)


def reach(stack: RunningStack, src: str, dst: str) -> bool:
    """Whether `src` can open a TCP exchange with `dst` (a refusal counts: it answered)."""
    out = stack.node(src).exec(["python3", "-c", PROBE, dst], timeout_s=10).output
    return not out.startswith("blocked")


def matrix(stack: RunningStack) -> dict[tuple[str, str], bool]:
    pairs = [(a, b) for a in NODES for b in NODES if a != b]
    with ThreadPoolExecutor(max_workers=len(pairs)) as pool:
        return dict(zip(pairs, pool.map(lambda p: reach(stack, *p), pairs), strict=True))


def expected(cut: Cut) -> dict[tuple[str, str], bool]:
    """TCP-level reachability a cut implies: a symmetric cut of either direction kills both;
    a one-way cut only blocks connections its sources open."""
    out = {}
    for a in NODES:
        for b in NODES:
            if a == b:
                continue
            if cut.one_way:
                out[(a, b)] = (a, b) not in cut.blocked
            else:
                out[(a, b)] = (a, b) not in cut.blocked and (b, a) not in cut.blocked
    return out


MODES: dict[str, dict[str, object]] = {
    "isolate": {"action": "partition", "mode": "isolate", "target": {"node": "n1"}},
    "groups": {"action": "partition", "mode": "groups", "groups": [["n1", "n2"], ["n3"]]},
    "one-way": {"action": "partition", "mode": "one-way", "target": {"node": "n2"}},
    "bridge": {"action": "partition", "mode": "bridge"},
    "majorities-ring": {"action": "partition", "mode": "majorities-ring"},
}


@pytest.mark.parametrize("mode", list(MODES))
def test_partition_mode_holds_and_heals(tools3: RunningStack, tmp_path: Path, mode: str) -> None:
    [fault] = build(tools3, MODES[mode], tmp_path)
    assert isinstance(fault, PartitionFault)
    with fault:
        assert fault.effective, fault.efficacy_detail
        assert matrix(tools3) == expected(fault.cut)
        assert fault.journal is not None and fault.journal.pending()
    assert all(matrix(tools3).values())
    assert fault.journal.pending() == []


def test_network_disconnect_and_reconnect_under_the_alias(
    tools3: RunningStack, tmp_path: Path
) -> None:
    [fault] = build(
        tools3,
        {"action": "partition", "method": "disconnect", "target": {"node": "n3"}},
        tmp_path,
    )
    with fault:
        assert fault.effective, fault.efficacy_detail
        assert not reach(tools3, "n1", "n3")
    assert reach(tools3, "n1", "n3")  # by name: the alias came back
    assert reach(tools3, "n3", "n2")
