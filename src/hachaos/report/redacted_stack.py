"""The stack file as a support bundle shows it: every secret masked, and the secret values
themselves known, so they can be scrubbed from everything else the bundle holds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

import yaml
from pydantic import BaseModel, SecretStr

from hachaos.redact import MASK, redact
from hachaos.spec.models import StackSpec

SECRET_NAME = re.compile(r"pass|secret|token|key|cookie|credential|auth", re.IGNORECASE)
MIN_SECRET = 4  # shorter values would mask ordinary words; redact() still masks by key


def _secret_strs(value: object) -> Iterator[str]:
    """Every SecretStr value inside a model (topologies carry passwords)."""
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _secret_strs(getattr(value, name))
    elif isinstance(value, dict):
        for item in value.values():
            yield from _secret_strs(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _secret_strs(item)


def secret_values(spec: StackSpec) -> set[str]:
    """Passwords of the topologies (the stack's and its parts'), values of environment
    variables with a secret-like name, and contents of files with a secret-like path."""
    found = set(_secret_strs(spec.topology))
    for part in spec.parts.values():
        found |= secret_values(part)
    for node in spec.nodes.values():
        found |= {v for k, v in node.env.items() if SECRET_NAME.search(k)}
        found |= {text.strip() for path, text in node.files.items() if SECRET_NAME.search(path)}
    return {s for s in found if len(s) >= MIN_SECRET}


def scrub(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret value (longest first) and key-named values masked."""
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return redact(text)


def _mask_node(node: dict[str, Any]) -> dict[str, Any]:
    env = {k: MASK if SECRET_NAME.search(k) else v for k, v in node.get("env", {}).items()}
    files = {
        p: MASK if SECRET_NAME.search(p) else redact(text)
        for p, text in node.get("files", {}).items()
    }
    return {**node, "env": env, "files": files}


def redacted_stack_yaml(spec: StackSpec) -> str:
    """The stack as YAML, secrets masked (included stacks as they were merged in)."""
    data = spec.model_dump(mode="json", exclude_none=True)
    data["nodes"] = {name: _mask_node(node) for name, node in data.get("nodes", {}).items()}
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=False, width=100)
    return scrub(text, secret_values(spec))
