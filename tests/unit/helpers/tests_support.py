"""Small stacks built in code for integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from hachaos.backends.docker.backend import DockerBackend
from hachaos.runid import new_run_id
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.spec.models import StackSpec

REPO = Path(__file__).resolve().parents[3]


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


@contextmanager
def booted(backend: DockerBackend, spec: StackSpec) -> Iterator[RunningStack]:
    """Boot `spec` under a fresh run id; always torn down."""
    run_id = new_run_id()
    stack = backend.up(spec, run_id)
    try:
        yield stack
    finally:
        backend.down(run_id)


def repo_stack(backend: DockerBackend, name: str) -> AbstractContextManager[RunningStack]:
    """Boot `fixtures/stacks/<name>.yaml` (see `booted`)."""
    return booted(backend, load_stack(REPO / "fixtures" / "stacks" / f"{name}.yaml"))
