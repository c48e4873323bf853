"""Reading a certification record back: every problem is one line naming the file."""

from __future__ import annotations

import json
import math
import stat
from pathlib import Path

from pydantic import ValidationError

from hachaos.certification.record import FORMAT, FORMAT_VERSION, Certification
from hachaos.errors import HachaosError

MAX_RECORD_BYTES = 64 * 1024 * 1024  # a catalog of 100 scenarios x 10 repeats is ~10 MiB


class BadRecord(HachaosError):
    """A file that cannot be used as a certification record; the message names the file."""


def load_certification(path: Path) -> Certification:
    """Parse and validate `path`; BadRecord (one line: file, what is wrong) otherwise."""
    data = _json(path, _read(path))
    _check_format(path, data)
    try:
        cert = Certification.model_validate(data)
    except ValidationError as exc:
        raise BadRecord(f"{path}: invalid certification record: {_first(exc)}") from None
    where = _non_finite(cert)
    if where is not None:  # NaN compares neither worse nor better: it would pass as "same"
        raise BadRecord(f"{path}: invalid certification record: {where}: not a finite number")
    return cert


def _non_finite(cert: Certification) -> str | None:
    """The path of the first NaN or infinite number a comparison would read, if any."""
    for name, scenario in cert.scenarios.items():
        for what, d in scenario.distribution.items():
            for field in ("min", "median", "max", "resolution"):
                value = getattr(d, field)
                if value is not None and not math.isfinite(value):
                    return f"scenarios.{name}.distribution.{what}.{field}"
    return None


def _read(path: Path) -> str:
    """The file's text; a non-regular file or one over the limit is refused unread."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise BadRecord(f"{path}: cannot read: not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
        if len(raw) > MAX_RECORD_BYTES:
            raise BadRecord(
                f"{path}: larger than {MAX_RECORD_BYTES} bytes: not a certification record "
                "(nor a sane one)"
            )
        return raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BadRecord(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") from None


def _json(path: Path, text: str) -> object:
    if not text.strip():
        raise BadRecord(f"{path}: empty file, not a certification record")
    try:
        return json.loads(text)
    except RecursionError:
        raise BadRecord(f"{path}: not valid JSON: nested too deeply") from None
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
    where = ".".join(_part(p) for p in first["loc"]) or "(top)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def _part(part: object) -> str:
    """A key path part as shown: as is when short and printable, else quoted and cut."""
    text = str(part)
    if text.isprintable() and len(text) <= 63:
        return text
    shown = repr(text)
    return shown if len(shown) <= 63 else shown[:60] + "..."
