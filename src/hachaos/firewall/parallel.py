"""Firewall calls on several nodes at once (a partition touches each node that needs rules)."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from hachaos.firewall.request import RuleRequest, RuleResponse
from hachaos.node import Firewall

K = TypeVar("K")
MAX_PARALLEL = 16


def apply_all(
    walls: Mapping[K, Firewall], requests: Mapping[K, RuleRequest]
) -> dict[K, RuleResponse]:
    """`walls[k].apply_rules(requests[k])` for every key of `requests`, in parallel; the first
    exception raised by any call propagates (after every call has finished)."""
    if not requests:
        return {}
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(requests))) as pool:
        futures = {k: pool.submit(walls[k].apply_rules, req) for k, req in requests.items()}
        return {k: f.result() for k, f in futures.items()}
