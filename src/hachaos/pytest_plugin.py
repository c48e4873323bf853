"""pytest plugin (entry point `pytest11`): collects YAML scenarios, provides stack fixtures."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Generator, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from hachaos.events import EventBus
from hachaos.plugin import hookspecs
from hachaos.plugin.items import ScenarioFile, ScenarioItem
from hachaos.plugin.runs import booted_stack
from hachaos.plugin.state import STATE, SessionState, state_of
from hachaos.reaper import cleanup_runs, install_signal_cleanup
from hachaos.report.console import verdict_lines
from hachaos.running import RunningStack
from hachaos.scenario.result import ScenarioResult
from hachaos.spec.loader import find_stack_file, is_scenario_file, load_stack, stack_search_dirs
from hachaos.verdict import VerdictOutcome


def pytest_addoption(parser: pytest.Parser) -> None:
    """Options in their own group."""
    group = parser.getgroup("hachaos", "hachaos chaos scenarios")
    group.addoption("--hachaos-backend", default="docker", help="where stacks run (default docker)")
    group.addoption(
        "--hachaos-stacks",
        action="append",
        default=[],
        metavar="DIR",
        help="extra directory of stack files (before fixtures/stacks)",
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
    )
    config.addinivalue_line("markers", "chaos: a chaos scenario against a real stack")
    config.addinivalue_line(
        "markers", "smoke: the short selection CI runs through the main command (tox -e chaos)"
    )
    if getattr(opt, "allure_report_dir", None):
        from hachaos.report.allure_categories import write_categories

        write_categories(Path(opt.allure_report_dir))
        config.pluginmanager.register(_AllureBridge(), "hachaos-allure")
    # Ctrl-C and SIGTERM: revert journalled faults and tear down live runs within 5 s, then
    # interrupt the session; the reaper process covers a SIGKILL.
    state = config.stash[STATE]
    install_signal_cleanup(cleanup_runs(lambda: tuple(state.live_run_ids)))


class _AllureBridge:
    """Subscribes the Allure reporter to each scenario's bus when allure-pytest is active."""

    @pytest.hookimpl
    def pytest_hachaos_bus_created(self, item: pytest.Item, bus: EventBus) -> None:
        from hachaos.report.allure_events import AllureSubscriber, label_scenario

        bus.subscribe(AllureSubscriber())
        label_scenario(item)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Scenario YAML files (under a `scenarios` directory) become test files."""
    if is_scenario_file(file_path):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A scenario's setup error (boot, client setup) as its one-line text, not a traceback:
    pytest renders setup errors without asking the item, so the item's own text is put in."""
    report = yield
    if isinstance(item, ScenarioItem) and call.when == "setup" and call.excinfo is not None:
        report.longrepr = item.repr_failure(call.excinfo)
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


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Every verdict with its numbers."""
    state = state_of(config)
    for warning in state.warnings:
        terminalreporter.write_line(warning, yellow=True)
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
