"""Hardware preflight: every node has the CPUs, memory and disk its role's profile requires.

Memory is MemTotal, which leaves out what the kernel reserves at boot: a machine with the
required memory installed reports a few percent less, so MemTotal may be up to
`MEMORY_SLACK` below the minimum. Disk is the size of the filesystem holding `disk_path`.
"""

from __future__ import annotations

from functools import partial

from hachaos.conformance.check import Check, cannot_run
from hachaos.conformance.outcome import Outcome
from hachaos.conformance.profile import Hardware, Profile
from hachaos.conformance.shell import Ran
from hachaos.conformance.target import Target
from hachaos.spec.models import StackSpec

MEMORY_SLACK = 0.05
KIB_PER_GIB = 1024 * 1024


def _gb(kib: int) -> float:
    return kib * 1024 / 1e9


def shortfalls(
    hw: Hardware, cpus: int | None, mem_kib: int | None, disk_kib: int | None
) -> list[str]:
    """What falls short of `hw` (an unreadable value is a shortfall too)."""
    out = []
    if cpus is None or cpus < hw.cpus:
        out.append(f"{cpus if cpus is not None else '?'} CPUs < {hw.cpus}")
    need_kib = hw.memory_gib * KIB_PER_GIB * (1 - MEMORY_SLACK)
    if mem_kib is None or mem_kib < need_kib:
        shown = f"{mem_kib / KIB_PER_GIB:.1f}" if mem_kib is not None else "?"
        out.append(f"{shown} GiB memory < {hw.memory_gib:g} GiB")
    if disk_kib is None or _gb(disk_kib) < hw.disk_gb:
        shown = f"{_gb(disk_kib):.1f}" if disk_kib is not None else "?"
        out.append(f"{shown} GB disk at {hw.disk_path} < {hw.disk_gb:g} GB")
    return out


def meets(node: str, hw: Hardware, target: Target) -> Outcome:
    """`node` has at least `hw`'s CPUs, memory and disk."""
    facts = target.facts(node)
    if isinstance(facts, Ran):
        return cannot_run(node, "nproc; /proc/meminfo; df", facts)
    short = shortfalls(hw, facts.cpus, facts.memory_kib, facts.disk_kib)
    have = (
        f"{node}: {facts.cpus} CPUs, {(facts.memory_kib or 0) / KIB_PER_GIB:.1f} GiB memory, "
        f"{_gb(facts.disk_kib or 0):.1f} GB disk at {hw.disk_path}"
    )
    if not short:
        return Outcome.passed(have)
    return Outcome.failed(
        f"{node} is below the profile's minimums: {'; '.join(short)}",
        f"give {node} at least {hw.cpus} CPUs, {hw.memory_gib:g} GiB memory and "
        f"{hw.disk_gb:g} GB at {hw.disk_path} (a smaller test install: lower the minimums in "
        f"the profile's `hardware`)",
    )


def plan_hardware(profile: Profile, spec: StackSpec) -> list[Check]:
    """One check per node, against its role's minimums."""
    checks = []
    for node, node_spec in spec.nodes.items():
        hw = profile.hardware_for(node, spec)
        title = (
            f"{node} has >= {hw.cpus} CPUs, {hw.memory_gib:g} GiB memory, "
            f"{hw.disk_gb:g} GB disk at {hw.disk_path}"
        )
        checks.append(
            Check("hardware", node_spec.role, node, "minimums", title, partial(meets, node, hw))
        )
    return checks
