"""Whether a candidate is the password of a RabbitMQ user, checked against the hash the broker
itself stores (`rabbitmqctl export_definitions`): neither value leaves the runner or is shown.

RabbitMQ's hashes are base64(salt[4] + H(salt + password)) with H from the user's
`hashing_algorithm` (SHA-256 by default, SHA-512, or MD5 on old installs).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass

ALGORITHMS = {
    "rabbit_password_hashing_sha256": "sha256",
    "rabbit_password_hashing_sha512": "sha512",
    "rabbit_password_hashing_md5": "md5",
}


@dataclass(frozen=True)
class StoredUser:
    """A broker user's stored password hash and its algorithm."""

    name: str
    password_hash: str
    algorithm: str

    def __repr__(self) -> str:  # never the hash
        return f"StoredUser({self.name!r})"


def stored_users(definitions: str) -> dict[str, StoredUser]:
    """Users from `export_definitions` JSON; empty when it is not such a document."""
    try:
        doc = json.loads(definitions)
    except json.JSONDecodeError:
        return {}
    users = doc.get("users", []) if isinstance(doc, dict) else []
    return {
        str(u["name"]): StoredUser(
            str(u["name"]),
            str(u.get("password_hash", "")),
            str(u.get("hashing_algorithm", "rabbit_password_hashing_sha256")),
        )
        for u in users
        if isinstance(u, dict) and "name" in u
    }


def is_password(user: StoredUser, candidate: str) -> bool | None:
    """True when `candidate` hashes to the stored hash; None when it cannot be told (no
    password set, or an algorithm not known here)."""
    name = ALGORITHMS.get(user.algorithm)
    try:
        raw = base64.b64decode(user.password_hash, validate=True)
    except (binascii.Error, ValueError):
        return None
    if name is None or len(raw) <= 4:
        return None
    salt, digest = raw[:4], raw[4:]
    mine = hashlib.new(name, salt + candidate.encode()).digest()
    return hmac.compare_digest(mine, digest)
