"""What a node is made of, read in one command: listening TCP ports, CPUs, memory and the size
of the filesystem at a path. Parsed here, judged by the network and hardware checks."""

from __future__ import annotations

from dataclasses import dataclass

FACTS_SCRIPT = (
    "echo '## ss'; ss -ltnH; echo '## nproc'; nproc; "
    "echo '## mem'; grep MemTotal /proc/meminfo; echo '## df'; df -Pk -- \"$1\""
)


def facts_argv(disk_path: str) -> list[str]:
    """The command that prints a node's facts (`ss`, `nproc`, MemTotal, `df` of `disk_path`)."""
    return ["sh", "-c", FACTS_SCRIPT, "facts", disk_path]


@dataclass(frozen=True)
class NodeFacts:
    """A node's listening ports (with the addresses bound), CPUs, memory and disk."""

    listening: dict[int, tuple[str, ...]]
    cpus: int | None
    memory_kib: int | None
    disk_kib: int | None  # total size of the filesystem holding `disk_path`
    disk_free_kib: int | None
    disk_path: str

    def reachable_ports(self) -> set[int]:
        """Ports bound to an address other machines can reach (not only loopback)."""
        return {p for p, addrs in self.listening.items() if not all(map(is_loopback, addrs))}


def is_loopback(address: str) -> bool:
    """True for 127.0.0.0/8 and ::1 (as `ss` prints them, brackets included)."""
    bare = address.strip("[]").removeprefix("::ffff:")
    return bare.startswith("127.") or bare == "::1"


def _sections(text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        if line.startswith("## "):
            current = out.setdefault(line[3:].strip(), [])
        elif line.strip():
            current.append(line)
    return out


def parse_listening(lines: list[str]) -> dict[int, tuple[str, ...]]:
    """`ss -ltnH` lines -> {port: (local address, ...)}."""
    found: dict[int, list[str]] = {}
    for line in lines:
        cols = line.split()
        if len(cols) < 4 or ":" not in cols[3]:
            continue
        address, _, port = cols[3].rpartition(":")
        if port.isdigit():
            found.setdefault(int(port), []).append(address.split("%")[0])
    return {p: tuple(a) for p, a in found.items()}


def _int(lines: list[str], index: int = 0) -> int | None:
    try:
        return int(lines[0].split()[index])
    except (IndexError, ValueError):
        return None


def _df(lines: list[str]) -> tuple[int | None, int | None]:
    rows = [line.split() for line in lines[1:]]
    if not rows or len(rows[-1]) < 4:
        return None, None
    row = rows[-1]
    try:
        return int(row[1]), int(row[3])
    except ValueError:
        return None, None


def parse_facts(text: str, disk_path: str) -> NodeFacts:
    """Facts from the output of `facts_argv`; a part that is missing is None (or empty)."""
    parts = _sections(text)
    total, free = _df(parts.get("df", []))
    return NodeFacts(
        listening=parse_listening(parts.get("ss", [])),
        cpus=_int(parts.get("nproc", [])),
        memory_kib=_int(parts.get("mem", []), 1),
        disk_kib=total,
        disk_free_kib=free,
        disk_path=disk_path,
    )
