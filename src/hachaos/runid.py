"""Run ids: one per booted stack, on every backend; every resource and journal carries it."""

from __future__ import annotations

import secrets


def new_run_id() -> str:
    """A short unique run id, e.g. `hc-3f9a1c2b`."""
    return f"hc-{secrets.token_hex(4)}"
