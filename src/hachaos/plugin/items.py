"""YAML scenarios as pytest items: one item per scenario file."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hachaos.capabilities import lacking
from hachaos.certification.facts import stack_record
from hachaos.errors import ConfigError, HachaosError, StackNotReady
from hachaos.events import EventBus, Parameter, Progress
from hachaos.faults.needs import scenario_needs
from hachaos.plugin.properties import junit_properties
from hachaos.plugin.runs import booted_stack
from hachaos.plugin.state import SessionState, collect_messages, state_of
from hachaos.report.bundle import collect_bundle
from hachaos.report.console import progress_printer, verdict_lines
from hachaos.running import RunningStack
from hachaos.scenario.result import ResultReady, ScenarioResult
from hachaos.scenario.runner import PreparedRun, prepare_scenario
from hachaos.spec.loader import LoadedScenario, load_scenario_points
from hachaos.spec.models import is_name, short
from hachaos.verdict import VerdictOutcome


def history_path(directory: Path, scenario: str, run_id: str, variant: str = "") -> Path:
    """`<directory>/<scenario>[-<variant>]-<run_id>.jsonl`; the scenario and run id must be
    valid names, the variant (`size=3` -> `size-3`) is reduced to `a-z 0-9 -`, and the resolved
    path must stay inside `directory`, so no name can choose where it is written."""
    bad = [part for part in (scenario, run_id) if not is_name(part)]
    slug = re.sub(r"[^a-z0-9]+", "-", variant.lower()).strip("-")[:60]
    stem = f"{scenario}-{slug}" if slug else scenario
    path = directory / f"{stem}-{run_id}.jsonl"
    if bad or not path.resolve().is_relative_to(directory.resolve()):
        raise HachaosError(
            f"refusing to write a history file for name {short(bad[:1] or scenario)}"
        )
    return path


def item_name(loaded: LoadedScenario, repeat: tuple[int, int]) -> str:
    """`name`, `name[size=3]`, `name[run-1-of-3]` or `name[size=3,run-1-of-3]`."""
    k, n = repeat
    parts = [p for p in (loaded.point.variant, f"run-{k}-of-{n}" if n > 1 else "") if p]
    return f"{loaded.spec.name}[{','.join(parts)}]" if parts else loaded.spec.name


class ScenarioFailed(AssertionError):
    """Verdict FAIL: the system under test broke a budget. A test failure (Allure "failed",
    JUnit <failure>), unlike an infrastructure problem, which is an error in setup."""


class ScenarioInconclusive(AssertionError):
    """Verdict INCONCLUSIVE: the run could not be judged. Never a pass; reported as its own
    outcome ("inconclusive" in the terminal, the `verdict` JUnit property, an Allure category)."""


def live_writer(config: pytest.Config) -> Callable[[str], None]:
    """Write a line to the terminal now, past output capturing (as live logging does)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        if reporter is None:
            return
        if capture is None:
            reporter.write_line(line)
            return
        with capture.global_and_fixture_disabled():
            reporter.ensure_newline()
            reporter.write_line(line)

    return write


@contextmanager
def _bundle_on_error(stack: RunningStack, bus: EventBus, name: str, out: Path) -> Iterator[None]:
    """A hachaos error (client setup, a fault that cannot be applied) gets the support bundle
    too, collected before the stack is torn down."""
    try:
        yield
    except HachaosError:
        collect_bundle(stack, bus, name, out)
        raise


def skip_unless_capable(state: SessionState, loaded: LoadedScenario) -> None:
    """Skip (before anything boots) a scenario whose faults need a capability the stack's
    backend does not declare, naming what is missing."""
    stack = loaded.stack
    missing = scenario_needs(loaded.spec) - state.capabilities(stack)
    reason = lacking(stack.name, state.backend_name_for(stack), missing)
    if reason is not None:
        pytest.skip(reason)


class ScenarioFile(pytest.File):
    """A scenario YAML file; yields one ScenarioItem per matrix point and repeat (or one that
    fails cleanly if the file is bad)."""

    def collect(self) -> Iterator[pytest.Item]:
        """Load and validate once; a bad file becomes an item that reports its problems."""
        state = state_of(self.config)
        try:
            points = load_scenario_points(self.path, state.stack_dirs, state.stack_params)
        except ConfigError as exc:
            yield ScenarioItem.from_parent(self, name=self.path.stem, loaded=None, error=exc)
            return
        repeat = state.repeat
        for loaded in points:  # one item per matrix point (and per repeat)
            state.params_declared.update(loaded.stack.parameter_values)
            for k in range(1, repeat + 1):
                name = item_name(loaded, (k, repeat))
                item = ScenarioItem.from_parent(self, name=name, loaded=loaded, error=None)
                item.repeat = (k, repeat)
                yield item


class ScenarioItem(pytest.Item):
    """Boots the scenario's stack, runs it, tears down, and turns the verdict into an outcome."""

    def __init__(self, *, loaded: LoadedScenario | None, error: ConfigError | None, **kw: Any):
        super().__init__(**kw)
        self.loaded = loaded
        self.error = error
        self.add_marker(pytest.mark.chaos)
        for marker in loaded.spec.markers if loaded is not None else ():
            self.add_marker(marker)
        self.bus = EventBus()
        self.result: ScenarioResult | None = None
        self._resources = ExitStack()
        self._prepared: PreparedRun
        self._phase = "collection"
        self.repeat = (1, 1)  # (k, N): this item is the k-th of N runs of its scenario

    def setup(self) -> None:
        """Boot the stack and set up the clients: any problem here is infrastructure, so pytest
        reports it as an error of the setup phase, never as a verdict."""
        if self.error is not None:
            raise self.error
        assert self.loaded is not None
        state = state_of(self.config)
        skip_unless_capable(state, self.loaded)
        self.bus.subscribe(collect_messages(state, self.name))
        if self.config.get_verbosity() >= 0:  # -q: verdicts only
            self.bus.subscribe(progress_printer(live_writer(self.config), self.name))
        self.config.hook.pytest_hachaos_bus_created(item=self, bus=self.bus)
        if self.repeat[1] > 1:  # repeats are separate results, not retries of one another
            self.bus.emit(Parameter("repeat", f"{self.repeat[0]} of {self.repeat[1]}", True))
        for name in self.loaded.point.varying:  # so is each point of a matrix
            self.bus.emit(Parameter(name, str(self.loaded.point.values[name]), True))
        for note in self.loaded.notes:
            self.bus.emit(Progress("note", note))
        with ExitStack() as resources:
            self._phase = "boot"
            stack = resources.enter_context(booted_stack(state, self.loaded.stack, self.bus))
            self._record_facts(state, stack)
            self._phase = "client setup"
            with _bundle_on_error(stack, self.bus, self.loaded.label, state.bundle_dir):
                prepared = prepare_scenario(self.loaded.spec, stack, self.bus, seed=state.seed)
            resources.callback(prepared.close)
            self._prepared = prepared
            self._resources = resources.pop_all()

    def runtest(self) -> None:
        """Run the scenario; FAIL raises ScenarioFailed, INCONCLUSIVE ScenarioInconclusive
        (or a skip with --hachaos-inconclusive=skip)."""
        state = state_of(self.config)
        self._phase = "run"
        assert self.loaded is not None
        stack = self._prepared.run.stack
        with _bundle_on_error(stack, self.bus, self.loaded.label, state.bundle_dir):
            result = self._prepared.run_once()
        # a matrix point is its own scenario in every report (verdicts, record, Allure)
        self.result = replace(result, scenario=self.loaded.label, notes=self.loaded.notes)
        state.results.append(self.result)
        self._save_history(self.result)
        self.bus.emit(ResultReady(self.result))
        if not self.result.verdict.passed:  # before teardown, while the nodes still exist
            collect_bundle(stack, self.bus, self.loaded.label, state.bundle_dir)
        self._conclude(self.result, state.inconclusive)

    def teardown(self) -> None:
        """Release the clients and tear the stack down, however setup or the run ended."""
        self._resources.close()

    def _record_facts(self, state: SessionState, stack: RunningStack) -> None:
        """Image hashes and the software versions the nodes run, once per stack per session."""
        if stack.spec.name in state.stacks:
            return
        started = time.monotonic()
        record = stack_record(stack)  # no step of its own: the result's steps stay the phases
        state.stacks[stack.spec.name] = record
        found = sorted({f"{k} {v}" for n in record.nodes.values() for k, v in n.software.items()})
        took = time.monotonic() - started
        self.bus.emit(Progress("versions", f"{', '.join(found) or 'none reported'} ({took:.2f}s)"))

    def _save_history(self, result: ScenarioResult) -> None:
        assert self.loaded is not None
        directory = state_of(self.config).history_dir
        directory.mkdir(parents=True, exist_ok=True)
        name, variant = self.loaded.spec.name, self.loaded.point.variant
        result.history.save(history_path(directory, name, result.run_id, variant))

    def _conclude(self, result: ScenarioResult, inconclusive: str) -> None:
        self.user_properties.extend(junit_properties(result))
        text = "\n".join(verdict_lines(result))
        if result.verdict.outcome is VerdictOutcome.FAIL:
            raise ScenarioFailed(text)
        if result.verdict.outcome is VerdictOutcome.INCONCLUSIVE:
            if inconclusive == "skip":
                pytest.skip(text)
            raise ScenarioInconclusive(text)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """Verdicts and hachaos errors as their own text, never a traceback."""
        exc = excinfo.value
        if isinstance(exc, StackNotReady):
            logs = "\n".join(
                f"--- last log lines of {node} ---\n{text.rstrip()}"
                for node, text in exc.logs.items()
            )
            return f"{self._phase}: {exc}\n{logs}"
        if isinstance(exc, ConfigError):
            return str(exc)
        if isinstance(exc, HachaosError):
            return f"{self._phase}: {exc}"
        if isinstance(exc, ScenarioFailed | ScenarioInconclusive):
            return str(exc)
        return str(super().repr_failure(excinfo, style=style))

    def reportinfo(self) -> tuple[Any, int, str]:
        """Where the scenario comes from, for pytest's report header."""
        return self.path, 0, f"scenario: {self.name}"
