"""The certification record (`reports/certification.json`): typed, versioned, validated on load.

One record per run of the catalog: who ran it (hachaos version, git sha, seed, host), what ran
(per stack the image content hashes and the software versions read from every node), and what
came out (per scenario every run's measurements and verdict, the worst run's verdict, and the
distribution of each measurement over the repeats).
"""

from __future__ import annotations

from typing import Final, Literal

from pydantic import BaseModel, ConfigDict

from hachaos.verdict import VerdictOutcome

FORMAT: Final = "hachaos-certification"
FORMAT_VERSION: Final = 1

Number = float | int


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MeasuredValue(_Frozen):
    """One measurement of one run, with its budget and whether it held."""

    name: str
    value: Number | None
    unit: str = ""
    resolution: float | None = None
    budget: Number | None = None
    ok: bool | None = None
    cmp: Literal["≤", "≥"] = "≤"


class RunRecord(_Frozen):
    """One run of a scenario on a freshly booted stack."""

    run_id: str
    seed: int
    outcome: VerdictOutcome
    reason: str
    detail: str
    targets: list[str] = []
    measurements: list[MeasuredValue] = []


class Distribution(_Frozen):
    """A measurement over the repeats: min, median, max of the runs that measured it."""

    n: int
    min: float
    median: float
    max: float
    unit: str = ""
    resolution: float | None = None  # the worst (widest) resolution among the runs
    budget: Number | None = None
    cmp: Literal["≤", "≥"] = "≤"

    @property
    def spread(self) -> float:
        """max - min: how much the repeats disagree."""
        return self.max - self.min


class ScenarioRecord(_Frozen):
    """A scenario's runs, judged on the worst one."""

    name: str
    stack: str
    outcome: VerdictOutcome
    reason: str
    detail: str
    worst_run: str
    runs: list[RunRecord]
    distribution: dict[str, Distribution] = {}


class NodeFacts(_Frozen):
    """What one node ran: its image, the image's content hash, software versions read from it."""

    role: str
    image: str | None = None
    image_hash: str | None = None
    software: dict[str, str] = {}


class StackRecord(_Frozen):
    """Per stack: every node's facts (from the last run that booted it)."""

    name: str
    nodes: dict[str, NodeFacts] = {}


class HostFacts(_Frozen):
    """The machine the run used."""

    kernel: str
    os: str
    python: str
    engine: str | None = None


class Certification(_Frozen):
    """A whole run's certification record."""

    format: Literal["hachaos-certification"] = FORMAT
    format_version: int = FORMAT_VERSION
    hachaos_version: str
    git_sha: str | None = None
    created: str
    seed: int | None = None
    repeat: int = 1
    host: HostFacts
    stacks: dict[str, StackRecord] = {}
    scenarios: dict[str, ScenarioRecord] = {}

    def to_json(self) -> str:
        """The record as indented JSON (what certification.json holds)."""
        return self.model_dump_json(indent=2) + "\n"
