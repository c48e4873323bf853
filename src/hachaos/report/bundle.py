"""The support bundle of a run that did not pass, collected before teardown from every node
through its backend: the last lines of each service's log, processes, memory and disk,
listening ports, what the cluster tools say, the topology as seen now (who is primary), and
the stack file, all with secrets masked. Written as `reports/bundles/<name>-<run>.tar.gz` and
emitted as attachments (reporters decide where they go).

Bounded: the whole collection has a deadline of `DEADLINE_S` (nodes not done by then are named
in MANIFEST.txt as timed out; every command has its own shorter timeout), each text part keeps
at most its last `PART_LIMIT` bytes, and parts beyond `BUNDLE_LIMIT` bytes in all are left out
(and listed in the manifest).
"""

from __future__ import annotations

import io
import re
import tarfile
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hachaos.events import Attachment, EventBus, Progress
from hachaos.report.bundle_node import NodeParts, collect_node
from hachaos.report.bundle_topology import topology_now
from hachaos.report.redacted_stack import redacted_stack_yaml, scrub, secret_values
from hachaos.running import RunningStack

DEFAULT_DIR = Path("reports") / "bundles"
DEADLINE_S = 45.0
PART_LIMIT = 256 * 1024
BUNDLE_LIMIT = 16 * 1024 * 1024
PARALLEL = 8


@dataclass(frozen=True)
class Bundle:
    """A written bundle: where, how big (compressed), how long it took, what is missing."""

    path: Path
    size: int
    seconds: float
    nodes: int
    timed_out: tuple[str, ...] = ()
    left_out: tuple[str, ...] = field(default_factory=tuple)


def bundle_path(directory: Path, name: str, run_id: str) -> Path:
    """`<directory>/<name>-<run>.tar.gz`; any character outside `a-z 0-9 . _ -` becomes `-`,
    so a name can never choose where the file goes."""
    stem = re.sub(r"[^a-z0-9._-]+", "-", f"{name}-{run_id}".lower())
    stem = re.sub(r"-{2,}", "-", stem).strip(".-") or "bundle"
    return directory / f"{stem[:120]}.tar.gz"


def _cap(text: str) -> str:
    raw = text.encode(errors="replace")
    if len(raw) <= PART_LIMIT:
        return text
    kept = raw[-PART_LIMIT:].decode(errors="replace")
    return f"(first {len(raw) - PART_LIMIT} bytes left out)\n{kept}"


class _Writer:
    """Adds text members to a tar.gz in memory, within BUNDLE_LIMIT bytes in all."""

    def __init__(self, root: str, secrets: set[str]) -> None:
        self.root, self.secrets = root, secrets
        self.buffer = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buffer, mode="w:gz")  # noqa: SIM115
        self.total = 0
        self.left_out: list[str] = []

    def add(self, name: str, text: str) -> None:
        data = _cap(scrub(text, self.secrets)).encode(errors="replace")
        if self.total + len(data) > BUNDLE_LIMIT:
            self.left_out.append(name)
            return
        info = tarfile.TarInfo(f"{self.root}/{name}")
        info.size, info.mtime, info.mode = len(data), int(time.time()), 0o644
        self.tar.addfile(info, io.BytesIO(data))
        self.total += len(data)

    def close(self) -> bytes:
        self.tar.close()
        return self.buffer.getvalue()


def _gather(stack: RunningStack) -> tuple[dict[str, NodeParts], str, list[str]]:
    """Every node's parts and the topology, in parallel, within DEADLINE_S."""
    pool = ThreadPoolExecutor(max_workers=min(PARALLEL, len(stack.nodes) + 1))
    futures: dict[str, Future[NodeParts]] = {
        name: pool.submit(collect_node, node) for name, node in stack.nodes.items()
    }
    topo = pool.submit(topology_now, stack)
    pending: list[Future[Any]] = [*futures.values(), topo]
    wait(pending, timeout=DEADLINE_S)
    pool.shutdown(wait=False, cancel_futures=True)  # stragglers end at their own timeouts
    done = {n: f.result() for n, f in futures.items() if f.done() and not f.exception()}
    late = [n for n in futures if n not in done]
    topology = topo.result() if topo.done() and not topo.exception() else "(timed out)\n"
    return done, topology, late


def _manifest(stack: RunningStack, name: str, late: list[str], took: float) -> str:
    lines = [
        f"support bundle {name}, run {stack.run_id}, stack {stack.spec.name}, "
        f"backend {stack.backend}",
        f"collected in {took:.1f}s (deadline {DEADLINE_S:g}s), secrets masked",
        f"nodes: {', '.join(stack.nodes)}",
        f"timed out: {', '.join(late) or 'none'}",
        f"limits: {PART_LIMIT} bytes per part (its tail kept), {BUNDLE_LIMIT} bytes in all",
    ]
    return "\n".join(lines) + "\n"


def write_bundle(stack: RunningStack, name: str, directory: Path = DEFAULT_DIR) -> Bundle:
    """Collect and write the bundle; returns what was written."""
    started = time.monotonic()
    path = bundle_path(directory, name, stack.run_id)
    parts, topology, late = _gather(stack)
    writer = _Writer(path.name.removesuffix(".tar.gz"), secret_values(stack.spec))
    writer.add("topology.txt", topology)
    writer.add("stack.yaml", redacted_stack_yaml(stack.spec))
    for node, collected in sorted(parts.items()):
        for part, text in collected.texts.items():
            writer.add(f"nodes/{node}/{part}", text)
    took = time.monotonic() - started
    writer.add("MANIFEST.txt", _manifest(stack, name, late, took) + _left_out(writer.left_out))
    data = writer.close()
    directory.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Bundle(path, len(data), took, len(stack.nodes), tuple(late), tuple(writer.left_out))


def _left_out(names: list[str]) -> str:
    return f"left out (over the size limit): {', '.join(names)}\n" if names else ""


def collect_bundle(
    stack: RunningStack, bus: EventBus, name: str, directory: Path = DEFAULT_DIR
) -> Bundle:
    """Write the bundle and emit it (and its topology) as attachments in a step."""
    with bus.step("support bundle", nodes=str(len(stack.nodes))):
        bundle = write_bundle(stack, name, directory)
        emit_bundle(bundle, bus)
    return bundle


def emit_bundle(bundle: Bundle, bus: EventBus) -> None:
    """The bundle file, its topology and each node's service log as attachments, and a
    progress line."""
    data = bundle.path.read_bytes()
    bus.emit(Attachment(f"support bundle {bundle.path.name}", data, "application/gzip", "tar.gz"))
    for member, body in _members(data):
        if member == "topology.txt":
            bus.emit(Attachment("topology now", body, "text/plain", "txt"))
        elif member.startswith("nodes/") and member.endswith("/service.log"):
            bus.emit(Attachment(f"logs {member.split('/')[1]}", body, "text/plain", "txt"))
    late = f", timed out: {', '.join(bundle.timed_out)}" if bundle.timed_out else ""
    line = f"{bundle.path} ({bundle.size / 1024:.0f} KiB, {bundle.seconds:.1f}s{late})"
    bus.emit(Progress("bundle", line))


def _members(data: bytes) -> list[tuple[str, bytes]]:
    """(name below the bundle's root folder, content) of every member."""
    out = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            if handle is not None:
                out.append((member.name.split("/", 1)[-1], handle.read()))
    return out
