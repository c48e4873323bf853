"""Tagged firewall rules in a node's own network namespace: the request a backend carries out,
what it reports back, and the stdlib-only script that does it where the namespace is."""

from __future__ import annotations

import functools
from pathlib import Path

SCRIPT = Path(__file__).with_name("nsfw.py")


@functools.cache
def helper_script() -> str:
    """The source of the in-namespace script (`python3 -c SOURCE REQUEST_JSON`)."""
    return SCRIPT.read_text()
