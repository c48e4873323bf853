"""Runs INSIDE a node's network namespace: add / remove tagged iptables rules, then probe peers.

Stdlib only and self-contained: its source is passed to `python3 -c` wherever the namespace is
(a Docker helper container joined to it; later a host reached over its own connection).
Input: one JSON argument (`Request` fields); output: one JSON line on stdout (`Response`).
"""

from __future__ import annotations

import json
import shlex
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

IPTABLES = ["iptables", "-w", "5"]


def tagged_rules(lines: list[str], tag: str, prefix: bool) -> list[list[str]]:
    """The `-A ...` rules among `iptables -S` lines whose comment is `tag` (or starts with it)."""
    out = []
    for line in lines:
        if not line.startswith("-A "):
            continue
        args = shlex.split(line)
        if "--comment" not in args:
            continue
        comment = args[args.index("--comment") + 1]
        if comment == tag or (prefix and comment.startswith(tag)):
            out.append(args)
    return out


class NoIptables(RuntimeError):
    """iptables is not installed where the rules were to be changed."""


def _run(args: list[str]) -> str:
    try:
        proc = subprocess.run(IPTABLES + args, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise NoIptables(
            "iptables is not installed here: install it (Debian: apt-get install iptables) "
            "for firewall faults"
        ) from None
    if proc.returncode != 0:
        raise RuntimeError(f"iptables {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def remove(tag: str, prefix: bool) -> int:
    """Delete every tagged rule; returns how many (none where iptables is not installed: no
    rule of ours can be there)."""
    try:
        listed = _run(["-S"])
    except NoIptables:
        return 0
    rules = tagged_rules(listed.splitlines(), tag, prefix)
    for args in rules:
        _run(["-D", *args[1:]])
    return len(rules)


def probe(host: str, port: int, timeout_s: float) -> str:
    """`open` / `refused` (reachable) or `blocked: <why>` (no answer, or dropped locally)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return "open"
    except ConnectionRefusedError:
        return "refused"
    except OSError as exc:
        return f"blocked: {exc.strerror or type(exc).__name__}"


def probe_until(spec: dict[str, object], timeout_s: float, deadline: float) -> dict[str, object]:
    """Probe until the expectation (`blocked` / `reachable`) holds or the deadline passes."""
    want_blocked = spec["expect"] == "blocked"
    while True:
        got = probe(str(spec["host"]), int(spec["port"]), timeout_s)  # type: ignore[call-overload]
        ok = got.startswith("blocked") == want_blocked
        if ok or time.monotonic() >= deadline:
            return {**spec, "result": got, "ok": ok}
        time.sleep(0.05)


def main(raw: str) -> dict[str, object]:
    """Apply one request: remove tagged rules, add rules, then probe."""
    req = json.loads(raw)
    out: dict[str, object] = {"removed": 0, "added": 0, "probes": [], "error": None}
    try:
        if req.get("remove"):
            out["removed"] = remove(req["remove"], bool(req.get("prefix")))
        for args in req.get("add") or []:
            _run(args)
            out["added"] = int(out["added"]) + 1  # type: ignore[call-overload]
    except RuntimeError as exc:
        out["error"] = str(exc)
        return out
    probes = req.get("probes") or []
    deadline = time.monotonic() + float(req.get("settle_s", 3.0))
    timeout_s = float(req.get("probe_timeout_s", 1.0))
    with ThreadPoolExecutor(max_workers=max(1, len(probes))) as pool:
        out["probes"] = list(pool.map(lambda p: probe_until(p, timeout_s, deadline), probes))
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])), flush=True)
