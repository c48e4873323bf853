"""Secrets never reach a human-readable line."""

from __future__ import annotations

import pytest

from hachaos.redact import redact


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("connecting to postgresql://app:s3cr3t@pg-1:5432/app", "s3cr3t"),
        ("amqp://guest:hunter2@rabbit-1:5672/ failed", "hunter2"),
        ("host=pg-1 user=app password=s3cr3t dbname=app", "s3cr3t"),
        ("PASSWORD: 'two words'", "two words"),
        ("token=abc.def.ghi", "abc.def.ghi"),
        ('api_key="k-123"', "k-123"),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    out = redact(text)
    assert secret not in out
    assert "***" in out


def test_plain_text_is_untouched() -> None:
    line = "steady state 12/20 samples; inject kill -> redis-1 (http://redis-1:6379)"
    assert redact(line) == line
