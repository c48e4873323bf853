"""Probe models: one per probe type, discriminated by `type`. Add new types to ProbeSpec."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from hachaos.spec.models import Model


class ProbeBase(Model):
    """Fields every probe shares: how often it runs and how long one attempt may take."""

    interval_ms: int = Field(default=50, ge=5, le=1000)
    timeout_ms: int = Field(default=500, ge=10, le=30000)


class RedisSentinelWriteProbeSpec(ProbeBase):
    """SET a unique key on the master the Sentinels name, one attempt each."""

    type: Literal["redis-sentinel-write"]


ProbeSpec = Annotated[RedisSentinelWriteProbeSpec, Field(discriminator="type")]
