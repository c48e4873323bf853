"""Masking secrets in text meant for humans (progress lines, messages, reports)."""

from __future__ import annotations

import re

MASK = "***"
_URL_CREDENTIALS = re.compile(r"\b([a-z][a-z0-9+.-]*://[^:/@\s]+):[^@\s]+@", re.IGNORECASE)
_KEY_VALUE = re.compile(
    r"\b(password|passwd|pwd|secret|token|api[_-]?key|cookie)(\s*[=:]\s*)('[^']*'|\"[^\"]*\"|\S+)",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """`text` with URL passwords (`scheme://user:pw@`) and `password=...`-style values masked."""
    text = _URL_CREDENTIALS.sub(rf"\1:{MASK}@", text)
    return _KEY_VALUE.sub(rf"\1\2{MASK}", text)
