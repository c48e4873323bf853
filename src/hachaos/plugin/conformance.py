"""Conformance checks as pytest tests: one test per check, items ordered by target, one target
live at a time, records and the summary.

Targets come from the command line: `--hachaos-conformance-stack NAME[:PROFILE]` boots
`fixtures/stacks/NAME.yaml` through the session's backend (torn down when its checks are done),
`--hachaos-conformance-run RUN_ID[:PROFILE]` attaches to a run that is up. The profile
defaults to the one named like the stack (`fixtures/profiles/NAME.yaml`). A test module sets
`CONFORMANCE_GROUP` and takes the `conformance_check` argument: it gets one test per check of
that group per target, with ids `STACK:ROLE/SUBJECT/CHECK`. Items are ordered by target, so
each stack is booted once; a check that fails gets the stack's support bundle (collected once,
before teardown) attached to its result.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from hachaos.backends.base import Attachable
from hachaos.conformance.check import Check
from hachaos.conformance.outcome import Outcome, Status
from hachaos.conformance.plan import plan
from hachaos.conformance.target import NoConnection, Target
from hachaos.errors import HachaosError
from hachaos.events import EventBus
from hachaos.plugin.conformance_targets import TargetSpec, resolve_targets
from hachaos.plugin.runs import booted_stack
from hachaos.plugin.state import SessionState, state_of
from hachaos.redact import redact
from hachaos.report.bundle import Bundle, collect_bundle, emit_bundle
from hachaos.running import RunningStack


@dataclass(frozen=True)
class Planned:
    """One check of one target (the pytest parameter)."""

    index: int
    label: str
    check: Check

    def __repr__(self) -> str:
        return f"{self.label}:{self.check.id}"


@dataclass
class TargetRecord:
    """What happened on one target: boot, checks by status, wall time, the bundle."""

    label: str
    profile: str
    mode: str  # booted | attached
    run_id: str = ""
    boot_s: float = 0.0
    ready_at: float = 0.0
    last_end: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    failures: list[dict[str, str]] = field(default_factory=list)
    bundle: Bundle | None = None

    def as_dict(self) -> dict[str, Any]:
        """The record as JSON-ready data."""
        wall = max(0.0, self.last_end - self.ready_at) if self.ready_at else 0.0
        bundle = self.bundle
        return {
            "stack": self.label,
            "profile": self.profile,
            "mode": self.mode,
            "run_id": self.run_id,
            "boot_s": round(self.boot_s, 2),
            "checks": sum(self.counts.values()),
            **{s.value: self.counts[s.value] for s in Status},
            "wall_s": round(wall, 2),
            "failures": self.failures,
            "bundle": None
            if bundle is None
            else {
                "path": str(bundle.path),
                "bytes": bundle.size,
                "seconds": round(bundle.seconds, 2),
            },
        }


class ConformanceSession:
    """Boots or attaches to one target at a time (items come ordered by target), judges
    checks, bundles a target's state on its first failure, and keeps the records."""

    def __init__(self, state: SessionState, targets: list[TargetSpec]) -> None:
        self.state = state
        self.targets = targets
        self.records = [
            TargetRecord(t.label, t.profile.name, "attached" if t.run_id else "booted")
            for t in targets
        ]
        self._current: tuple[int, Target] | None = None
        self._failed: dict[int, str] = {}
        self._resources = ExitStack()

    def prepare(self, index: int) -> Target:
        """The live target `index`, booting (or attaching) it if it is not the current one."""
        if self._current is not None and self._current[0] == index:
            return self._current[1]
        if index in self._failed:
            raise HachaosError(self._failed[index])
        self.close()
        spec, record = self.targets[index], self.records[index]
        started = time.monotonic()
        try:
            stack = self._start(spec)
        except HachaosError as exc:
            phase = "attach" if spec.run_id else "boot"
            self._failed[index] = f"{phase} {spec.label}: {exc}"
            raise HachaosError(self._failed[index]) from None
        record.boot_s, record.run_id = time.monotonic() - started, stack.run_id
        record.ready_at = record.last_end = time.monotonic()
        target = Target(stack, spec.profile)
        target.prefetch()
        self._current = (index, target)
        return target

    def _start(self, spec: TargetSpec) -> RunningStack:
        if spec.run_id is None:
            return self._resources.enter_context(booted_stack(self.state, spec.spec))
        backend = self.state.backend_for(spec.spec)
        if not isinstance(backend, Attachable):
            raise HachaosError(f"backend {backend.name} cannot attach to a running run")
        return backend.attach(spec.spec, spec.run_id)

    def judge(self, planned: Planned) -> Outcome:
        """The check's outcome on its (prepared) target; recorded."""
        target = self.prepare(planned.index)
        try:
            outcome = planned.check.judge(target)
        except NoConnection as exc:
            outcome = Outcome.skipped(str(exc))
        except HachaosError as exc:
            outcome = Outcome.failed(str(exc), "see the support bundle")
        record = self.records[planned.index]
        record.counts[outcome.status.value] += 1
        record.last_end = time.monotonic()
        if outcome.status is Status.FAIL:
            record.failures.append({"check": planned.check.id, "message": redact(outcome.message)})
        return outcome

    def bundle(self, planned: Planned, bus: EventBus) -> Bundle | None:
        """The target's support bundle, collected on its first failure and attached again to
        every later one (through `bus`)."""
        record = self.records[planned.index]
        if record.bundle is not None:
            with bus.step("support bundle", collected="earlier"):
                emit_bundle(record.bundle, bus)
            return record.bundle
        if self._current is None or self._current[0] != planned.index:
            return None
        stack, name = self._current[1].stack, self.targets[planned.index].bundle_name
        record.bundle = collect_bundle(stack, bus, name, self.state.bundle_dir)
        return record.bundle

    def close(self) -> None:
        """Tear down the current target if it was booted."""
        self._current = None
        self._resources.close()
        self._resources = ExitStack()


def parametrize(metafunc: pytest.Metafunc, session: ConformanceSession | None) -> None:
    """One parameter per check of the module's group and every target."""
    group = getattr(metafunc.module, "CONFORMANCE_GROUP", None)
    if session is None or not session.targets:
        reason = "no conformance target: give --hachaos-conformance-stack NAME or -run RUN_ID"
        metafunc.parametrize(
            "conformance_check",
            [pytest.param(None, marks=pytest.mark.skip(reason=reason))],
            ids=["no-target"],
        )
        return
    params = []
    for index, target in enumerate(session.targets):
        checks = plan(target.profile, target.spec, group)
        if not checks:
            reason = f"profile {target.profile.name} asks for no {group} checks"
            params.append(
                pytest.param(None, id=f"{target.label}:none", marks=pytest.mark.skip(reason=reason))
            )
        for check in checks:
            planned = Planned(index, target.label, check)
            params.append(pytest.param(planned, id=repr(planned), marks=_labels(target, check)))
    metafunc.parametrize("conformance_check", params)


def _labels(target: TargetSpec, check: Check) -> list[pytest.MarkDecorator]:
    """Allure labels (read by allure-pytest from `allure_label` marks): grouped by stack and
    profile, check group and role."""
    label = pytest.mark.allure_label
    return [
        label(f"{target.label} (profile {target.profile.name})", label_type="suite"),
        label(check.group, label_type="subSuite"),
        label(check.group, label_type="feature"),
        label(check.role, label_type="story"),
        label(f"profile:{target.profile.name}", label_type="tag"),
    ]


def order_by_target(items: list[pytest.Item]) -> None:
    """Conformance items grouped by target (stable within a target), others left in place, so
    each target is booted once."""
    planned = {i: p for i, item in enumerate(items) if (p := planned_of(item)) is not None}
    ordered = sorted(planned, key=lambda i: planned[i].index)  # sorted() is stable
    moved = [items[i] for i in ordered]
    for slot, item in zip(planned, moved, strict=True):
        items[slot] = item


def planned_of(item: pytest.Item) -> Planned | None:
    """The conformance check an item runs, if it is one."""
    callspec = getattr(item, "callspec", None)
    value = callspec.params.get("conformance_check") if callspec is not None else None
    return value if isinstance(value, Planned) else None


CONFORMANCE = pytest.StashKey[ConformanceSession]()


def session_of(config: pytest.Config) -> ConformanceSession | None:
    """The session's conformance state (None until targets are resolved)."""
    return config.stash.get(CONFORMANCE, None)


def start(config: pytest.Config) -> None:
    """Resolve the targets once (at configure time: a bad name is a usage error)."""
    opt = config.option
    if opt.hachaos_conformance_stack or opt.hachaos_conformance_run:
        state = state_of(config)
        config.stash[CONFORMANCE] = ConformanceSession(state, resolve_targets(config, state))


def write_summary(config: pytest.Config) -> Path | None:
    """`reports/conformance.json`: per target, checks by outcome, wall time, bundle."""
    session = session_of(config)
    if session is None:
        return None
    session.close()
    path = Path(config.option.hachaos_conformance_summary)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([r.as_dict() for r in session.records], indent=2) + "\n")
    return path


def summary_lines(config: pytest.Config) -> list[str]:
    """One line per target: checks by outcome, wall time once booted, bundle."""
    session = session_of(config)
    lines = []
    for record in session.records if session else []:
        d, b = record.as_dict(), record.bundle
        bundle = f", bundle {b.path} ({b.size // 1024} KiB, {b.seconds:.1f}s)" if b else ""
        lines.append(
            f"{d['stack']} (profile {d['profile']}, {d['mode']} {d['run_id']} in {d['boot_s']}s): "
            f"{d['checks']} checks: {d['pass']} pass, {d['fail']} fail, {d['skip']} skip "
            f"in {d['wall_s']}s{bundle}"
        )
    return lines
