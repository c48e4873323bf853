"""Small stacks built in code for integration tests."""

from __future__ import annotations

from typing import Any

from hachaos.spec.models import StackSpec


def tiny_stack(**node_overrides: Any) -> StackSpec:
    """Two idle tools containers; `node_overrides` are merged into node `a`."""
    idle = {"role": "app", "command": ["sleep", "infinity"], "ready": [{"exec": ["true"]}]}
    return StackSpec.model_validate(
        {
            "name": "tiny",
            "image": "hachaos/tools:latest",
            "ready_timeout_s": 20,
            "nodes": {"a": {**idle, **node_overrides}, "b": idle},
        }
    )
