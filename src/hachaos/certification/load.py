"""Reading a certification record back: every problem is one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import ValidationError

from hachaos.certification.record import FORMAT, FORMAT_VERSION, Certification
from hachaos.errors import HachaosError


class BadRecord(HachaosError):
    """A file that cannot be used as a certification record; the message names the file."""


def load_certification(path: Path) -> Certification:
    """Parse and validate `path`; BadRecord (one line: file, what is wrong) otherwise."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRecord(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None
    data = _json(path, text)
    _check_format(path, data)
    try:
        return Certification.model_validate(data)
    except ValidationError as exc:
        raise BadRecord(f"{path}: invalid certification record: {_first(exc)}") from None


def _json(path: Path, text: str) -> object:
    if not text.strip():
        raise BadRecord(f"{path}: empty file, not a certification record")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        why = "truncated" if _looks_truncated(text, exc) else "not valid JSON"
        raise BadRecord(f"{path}:{exc.lineno}: {why}: {exc.msg}") from None


def _looks_truncated(text: str, exc: json.JSONDecodeError) -> bool:
    """An error at the very end, an open string, or more brackets opened than closed."""
    body = text.rstrip()
    unbalanced = body.count("{") + body.count("[") > body.count("}") + body.count("]")
    return exc.pos >= len(body) or exc.msg.startswith("Unterminated") or unbalanced


def _check_format(path: Path, data: object) -> None:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadRecord(
            f'{path}: not a hachaos certification record (no "format": "{FORMAT}"); '
            "pass the certification.json a run writes"
        )
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise BadRecord(
            f"{path}: certification format version {version!r} is not supported "
            f"(this hachaos reads version {FORMAT_VERSION})"
        )


def _first(exc: ValidationError) -> str:
    errors = exc.errors()
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"
