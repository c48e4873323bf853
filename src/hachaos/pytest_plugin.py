"""pytest plugin (entry point `pytest11`): collects YAML scenarios, provides stack fixtures."""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from hachaos.backends import DEFAULT_BACKEND
from hachaos.certification.record import Certification
from hachaos.cli import EXIT_INFRA
from hachaos.conformance.outcome import Status
from hachaos.errors import HachaosError
from hachaos.events import EventBus
from hachaos.plugin import conformance, hookspecs
from hachaos.plugin.certify import CERTIFICATION, session_certification
from hachaos.plugin.items import ScenarioFile, ScenarioItem
from hachaos.plugin.runs import booted_stack, preflight_hosts
from hachaos.plugin.state import STATE, SessionState, state_of
from hachaos.reaper import cleanup_runs, install_signal_cleanup
from hachaos.redact import redact
from hachaos.report.console import repeat_lines, verdict_lines
from hachaos.running import RunningStack
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.loader import find_stack_file, is_scenario_file, load_stack, stack_search_dirs
from hachaos.spec.overrides import OPTION, parse_assignment
from hachaos.verdict import VerdictOutcome


def pytest_addoption(parser: pytest.Parser) -> None:
    """Options in their own group."""
    group = parser.getgroup("hachaos", "hachaos chaos scenarios")
    group.addoption(
        "--hachaos-backend",
        default=DEFAULT_BACKEND,
        help="where stacks run (default %(default)s)",
    )
    group.addoption(
        "--hachaos-stacks",
        action="append",
        default=[],
        metavar="DIR",
        help="extra directory of stack files (before fixtures/stacks)",
    )
    group.addoption(
        "--hachaos-target",
        action="append",
        default=[],
        metavar="NAME",
        help="allow faults on the hosts stack (an existing deployment) named NAME; a hosts "
        "stack the run does not name is refused before anything runs (repeatable)",
    )
    group.addoption(
        "--hachaos-seed",
        type=int,
        default=None,
        help="seed for target selection (default: random, recorded in the result)",
    )
    group.addoption(
        "--hachaos-inconclusive",
        choices=("fail", "skip"),
        default="fail",
        help="how an inconclusive verdict is reported (default fail: never a pass)",
    )
    group.addoption(
        "--hachaos-history-dir",
        default="reports/histories",
        metavar="DIR",
        help="where each scenario's history is saved as JSON lines",
    )
    group.addoption(
        "--hachaos-repeat",
        type=positive_int,
        default=1,
        metavar="N",
        help="run each scenario N times on fresh stacks; judged on the worst run (default 1)",
    )
    group.addoption(
        OPTION,
        action="append",
        type=stack_param,
        default=[],
        metavar="NAME=VALUE",
        dest="hachaos_stack_param",
        help="a stack parameter's value for every scenario whose stack declares it and that "
        "does not set it itself, e.g. version=2 (repeatable)",
    )
    group.addoption(
        "--hachaos-certification",
        default="reports/certification.json",
        metavar="PATH",
        help="where the run's certification record is written (default %(default)s)",
    )
    group.addoption(
        "--hachaos-conformance-stack",
        action="append",
        default=[],
        metavar="STACK[:PROFILE]",
        help="conformance: boot fixtures/stacks/STACK.yaml and check it against PROFILE "
        "(default: the profile named like the stack)",
    )
    group.addoption(
        "--hachaos-conformance-run",
        action="append",
        default=[],
        metavar="RUN_ID[:PROFILE]",
        help="conformance: check a run that is up (hachaos up / ps) instead of booting one",
    )
    group.addoption(
        "--hachaos-profiles",
        action="append",
        default=[],
        metavar="DIR",
        help="extra directory of conformance profiles (before fixtures/profiles)",
    )
    group.addoption(
        "--hachaos-conformance-summary",
        default="reports/conformance.json",
        metavar="PATH",
        help="where conformance writes checks per target and wall times (default %(default)s)",
    )
    group.addoption(
        "--hachaos-bundle-dir",
        default="reports/bundles",
        metavar="DIR",
        help="where support bundles of runs that did not pass go (default %(default)s)",
    )


def stack_param(text: str) -> tuple[str, str]:
    """argparse type: NAME=VALUE."""
    try:
        return parse_assignment(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register hachaos' own hooks."""
    pluginmanager.add_hookspecs(hookspecs)


def pytest_configure(config: pytest.Config) -> None:
    """Create the session state; route SIGTERM through the same cleanup as Ctrl-C."""
    opt = config.option
    config.stash[STATE] = SessionState(
        backend_name=opt.hachaos_backend,
        stack_dirs=tuple(Path(d) for d in opt.hachaos_stacks),
        seed=opt.hachaos_seed,
        inconclusive=opt.hachaos_inconclusive,
        history_dir=Path(opt.hachaos_history_dir),
        repeat=opt.hachaos_repeat,
        certification_path=Path(opt.hachaos_certification),
        bundle_dir=Path(opt.hachaos_bundle_dir),
        targets=tuple(opt.hachaos_target),
        stack_params=dict(opt.hachaos_stack_param),
    )
    config.addinivalue_line("markers", "chaos: a chaos scenario against a real stack")
    config.addinivalue_line(
        "markers", "conformance: a conformance check on a stack's nodes (testinfra)"
    )
    conformance.start(config)
    config.addinivalue_line(
        "markers", "smoke: the short selection CI runs through the main command (tox -e chaos)"
    )
    if getattr(opt, "allure_report_dir", None):
        from hachaos.report.allure_categories import write_categories

        write_categories(Path(opt.allure_report_dir))
        config.pluginmanager.register(_AllureBridge(Path(opt.allure_report_dir)), "hachaos-allure")
    # Ctrl-C and SIGTERM: revert journalled faults and tear down live runs within 5 s, then
    # interrupt the session; the reaper process covers a SIGKILL.
    state = config.stash[STATE]
    install_signal_cleanup(cleanup_runs(lambda: tuple(state.live_run_ids)))


class _AllureBridge:
    """Subscribes the Allure reporter to each scenario's bus when allure-pytest is active, and
    writes the results folder's categories, environment and executor at the session's end."""

    def __init__(self, results_dir: Path) -> None:
        self.results_dir = results_dir

    @pytest.hookimpl
    def pytest_hachaos_bus_created(self, item: pytest.Item, bus: EventBus) -> None:
        from hachaos.report.allure_events import AllureSubscriber, label_scenario

        bus.subscribe(AllureSubscriber(self.results_dir))
        label_scenario(item)  # for a setup error (infrastructure): its result has these too

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> None:
        # again: allure-pytest resets the title and description when setup ends
        from hachaos.report.allure_events import label_scenario

        if isinstance(item, ScenarioItem):
            label_scenario(item, labels=False)

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        from hachaos.report.allure_categories import write_categories
        from hachaos.report.allure_environment import write_environment, write_executor

        write_categories(self.results_dir)  # again: --clean-alluredir may have run after us
        record = certification_of(session.config)
        if record is not None:
            write_environment(self.results_dir, record)
            write_executor(self.results_dir, record, record.created)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Scenario YAML files (under a `scenarios` directory) become test files."""
    if is_scenario_file(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Before any scenario runs: a --hachaos-stack-param that no collected scenario's stack
    declares is a usage error (a typo would otherwise run, and certify, the defaults); every
    hosts stack (an existing deployment) a selected scenario uses must be named with
    --hachaos-target, its hosts reachable and its services found; otherwise the session stops
    with one line and exit code 3, no fault injected anywhere."""
    state = state_of(session.config)
    if not any(isinstance(item, ScenarioItem) for item in session.items):
        return
    unused = sorted(set(state.stack_params) - state.params_declared)
    if unused:
        known = ", ".join(sorted(state.params_declared)) or "none"
        raise pytest.UsageError(
            f"{OPTION} {unused[0]}: no collected scenario's stack has a parameter "
            f"'{unused[0]}' (their parameters: {known})"
        )
    if session.config.option.collectonly:
        return
    stacks = {
        item.loaded.stack.name: item.loaded.stack
        for item in session.items
        if isinstance(item, ScenarioItem) and item.loaded is not None
    }
    try:
        preflight_hosts(state, list(stacks.values()))
    except HachaosError as exc:
        pytest.exit(f"hachaos: {exc}", returncode=EXIT_INFRA)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A scenario's setup error (boot, client setup) as its one-line text, not a traceback:
    pytest renders setup errors without asking the item, so the item's own text is put in."""
    report = yield
    excinfo = call.excinfo
    failed_setup = call.when == "setup" and report.failed  # a skip keeps pytest's own reason
    if isinstance(item, ScenarioItem) and failed_setup and excinfo is not None:
        report.longrepr = item.repr_failure(excinfo)
    return report


@pytest.hookimpl(tryfirst=True)
def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    """An inconclusive verdict is its own outcome in the terminal ("I", "1 inconclusive"),
    neither a pass nor a failure of the system; it still fails the session unless skipped."""
    if report.when == "call" and dict(report.user_properties).get("verdict") == "inconclusive":
        return "inconclusive", "I", ("INCONCLUSIVE", {"yellow": True})
    return None


def certification_of(config: pytest.Config) -> Certification | None:
    """The session's certification record (built once, after the last scenario)."""
    cached = config.stash.get(CERTIFICATION, None)
    if cached is not None:
        return cached
    state = state_of(config)
    if not state.results:
        return None
    record = session_certification(state)
    config.stash[CERTIFICATION] = record
    return record


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Conformance test functions (argument `conformance_check`): one test per check."""
    if "conformance_check" in metafunc.fixturenames:
        conformance.parametrize(metafunc, conformance.session_of(metafunc.config))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Conformance checks grouped by target, so each stack boots once."""
    conformance.order_by_target(items)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Tear down the last conformance target and write the conformance summary; write the
    certification record of every scenario run in this session."""
    conformance.write_summary(session.config)
    state = state_of(session.config)
    record = certification_of(session.config)
    if record is None or state.certification_path is None:
        return
    state.certification_path.parent.mkdir(parents=True, exist_ok=True)
    state.certification_path.write_text(record.to_json())


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Every verdict with its numbers; conformance checks per target."""
    state = state_of(config)
    for warning in state.warnings:
        terminalreporter.write_line(warning, yellow=True)
    lines = conformance.summary_lines(config)
    if lines:
        terminalreporter.section("hachaos conformance")
        for line in lines:
            terminalreporter.write_line(line)
    results = state.results
    errors = [r for r in terminalreporter.stats.get("error", []) if r.when == "setup"]
    if not results and not errors:
        return
    terminalreporter.section("hachaos verdicts")
    for result in results:
        for line in verdict_lines(result):
            terminalreporter.write_line(line)
    for report in errors:
        first = str(report.longrepr).splitlines()[0] if report.longrepr else "setup error"
        terminalreporter.write_line(f"{'ERROR':12} {report.nodeid}  {first}", red=True)
    terminalreporter.write_line(outcome_counts(results, len(errors)), bold=True)
    _certification_summary(terminalreporter, config)


def _certification_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Repeated scenarios judged on their worst run, and where the record went."""
    record = certification_of(config)
    if record is None:
        return
    if record.repeat > 1:
        terminalreporter.section("hachaos repeats (judged on the worst run)")
        for line in repeat_lines(record):
            terminalreporter.write_line(line)
    path = state_of(config).certification_path
    if path is not None:
        terminalreporter.write_line(f"certification record: {path}")


def outcome_counts(results: list[ScenarioResult], errors: int) -> str:
    """`hachaos: 10 pass, 1 fail, 1 inconclusive, 1 error (infrastructure)`."""
    counts = Counter(r.verdict.outcome for r in results)
    parts = [f"{counts[o]} {o}" for o in VerdictOutcome]
    return f"hachaos: {', '.join(parts)}, {errors} error (infrastructure)"


@pytest.fixture(scope="session")
def hachaos_state(pytestconfig: pytest.Config) -> SessionState:
    """The session's hachaos state (backend, options, results)."""
    return state_of(pytestconfig)


@pytest.fixture
def hachaos_stack(
    request: pytest.FixtureRequest, hachaos_state: SessionState
) -> Iterator[Callable[[str], RunningStack]]:
    """Factory fixture: `hachaos_stack("redis-sentinel")` boots a stack, torn down afterwards."""
    with ExitStack() as runs:

        def boot(name: str) -> RunningStack:
            dirs = stack_search_dirs(request.path.parent, hachaos_state.stack_dirs)
            path = find_stack_file(name, dirs)
            if path is None:
                pytest.fail(f"unknown stack '{name}' (looked in {', '.join(map(str, dirs))})")
            return runs.enter_context(booted_stack(hachaos_state, load_stack(path)))

        yield boot


@pytest.fixture
def hachaos_verify(request: pytest.FixtureRequest) -> Callable[[conformance.Planned], None]:
    """Judges a conformance check: boots (or attaches to) its target at setup, so a target
    that cannot start is an error in setup; a failed check fails with what is wrong and how
    to fix it, and gets the target's support bundle."""
    session = conformance.session_of(request.config)
    planned = conformance.planned_of(request.node)
    if session is None or planned is None:
        pytest.skip("no conformance target")
    try:
        session.prepare(planned.index)
    except HachaosError as exc:
        pytest.fail(str(exc), pytrace=False)

    def verify(check: conformance.Planned) -> None:
        outcome = session.judge(check)
        if outcome.status is Status.SKIP:
            pytest.skip(outcome.observed)
        if outcome.status is Status.FAIL:
            bus = EventBus()
            request.config.hook.pytest_hachaos_bus_created(item=request.node, bus=bus)
            bundle = session.bundle(check, bus)
            where = f"\nsupport bundle: {bundle.path}" if bundle else ""
            pytest.fail(redact(f"{outcome.message}{where}"), pytrace=False)

    return verify
