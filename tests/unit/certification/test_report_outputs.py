"""Report content built from a judged run: verdict table, timeline, JUnit, metrics, environment."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from certfakes import history, record, result
from fakes import FakeNode, replies

from hachaos.events import Attachment, EventBus
from hachaos.history import FaultEvent, FaultPhase
from hachaos.plugin.properties import junit_properties
from hachaos.report.allure_environment import environment, write_environment, write_executor
from hachaos.report.allure_metrics import metric_samples
from hachaos.report.bundle import collect_bundle
from hachaos.report.console import verdict_lines
from hachaos.report.timeline import fault_spans, timeline_png
from hachaos.report.verdict_table import verdict_html
from hachaos.running import RunningStack
from hachaos.spec.models import StackSpec
from hachaos.verdict import VerdictOutcome

PNG = b"\x89PNG\r\n\x1a\n"


def test_verdict_table_budgeted_first_with_marks_and_plain_numbers() -> None:
    html = verdict_html(result(outcome=VerdictOutcome.FAIL, recovery_s=12.5), ["warning: <x>"])
    assert "FAIL <code>[recovery-too-slow]</code>" in html
    rows = html.split("<tr>")[2:]
    assert "recovery_time_s" in rows[0] and "✗" in rows[0] and "≤ 10 s" in rows[0]
    assert "12.5 s ± 0.1 s" in rows[0]
    assert "lost_writes" in rows[1] and "✓" in rows[1]
    assert "acknowledged" in rows[-1] and "<td>100</td>" in rows[-1]
    assert '"12.5' not in html  # numbers, not quoted strings
    assert "warning: &lt;x&gt;" in html


def test_timeline_is_a_png_with_the_fault_window() -> None:
    h = history()
    assert timeline_png(h, "title", result().recovery).startswith(PNG)
    spans = fault_spans(h, 0, 3.0)
    assert [(s.start_s, s.end_s, s.label) for s in spans] == [(1.0, 2.0, "kill → redis-1")]


def test_a_fault_never_reverted_is_shaded_to_the_end() -> None:
    h = history()
    h.add_fault(FaultEvent(2_500_000_000, FaultPhase.INJECT, "pause", "redis-2"))
    spans = fault_spans(h, 0, 3.0)
    assert spans[-1].end_s == 3.0 and spans[-1].label == "pause → redis-2"


def test_junit_properties_are_numeric_with_budget_and_ok() -> None:
    props = dict(junit_properties(result(recovery_s=10.15, budget_s=20.0)))
    assert props["recovery_time_s"] == "10.15"
    assert props["recovery_time_s.budget"] == "20"
    assert props["recovery_time_s.ok"] == "true"
    assert props["recovery_time_s.unit"] == "s"
    assert props["lost_writes"] == "0"
    assert (props["verdict"], props["seed"], props["run_id"]) == ("pass", "42", "hc-00000001")
    assert "error_rate.during.budget" not in props


def test_metrics_one_series_per_scenario_and_measurement() -> None:
    samples = metric_samples(result(lost=None), 1000)
    keys = {s["key"]: s for s in samples}
    assert keys["redis-kill-master/recovery_time_s"]["value"] == 2.0
    assert keys["redis-kill-master/recovery_time_s"]["better"] == "lower"
    assert "redis-kill-master/lost_writes" not in keys  # not measured: no sample
    assert all(s["id"] and s["start"] == 1000 for s in samples)


def test_environment_lists_versions_seed_and_engine(tmp_path: Path) -> None:
    from hachaos.certification.record import NodeFacts, StackRecord

    stack = StackRecord(
        name="redis-sentinel",
        nodes={
            "redis-1": NodeFacts(role="master", software={"redis": "7.0.15"}),
            "sentinel-1": NodeFacts(role="sentinel", software={"redis": "7.0.15"}),
        },
    )
    cert = record(result()).model_copy(update={"stacks": {"redis-sentinel": stack}})
    env = environment(cert)
    assert env["redis-sentinel.redis"] == "7.0.15"
    assert env["engine"] == "docker 20.10"
    text = write_environment(tmp_path, cert).read_text()
    assert "redis-sentinel.redis = 7.0.15" in text
    executor = json.loads(write_executor(tmp_path, cert, "night 1").read_text())
    assert executor["buildName"] == "night 1"


def _bundle_stack(node: FakeNode) -> RunningStack:
    spec = StackSpec.model_validate(
        {"name": "pg", "image": "x", "nodes": {"pg-1": {"role": "primary"}}}
    )
    return RunningStack(spec, "hc-0001", "fake", {"pg-1": node}, 0.0)


def test_support_bundle_attaches_the_tarball_topology_and_redacted_logs(tmp_path: Path) -> None:
    node = FakeNode(
        "pg-1",
        "primary",
        log="connecting to postgresql://app:hunter2@pg-1/db\n",
        answer=replies("## patronictl list\n| pg-1 | Leader |\n"),
    )
    got: list[Attachment] = []
    bus = EventBus()
    bus.subscribe(lambda e: got.append(e) if isinstance(e, Attachment) else None)
    bundle = collect_bundle(_bundle_stack(node), bus, "kill-primary", tmp_path)
    names = [a.name for a in got]
    assert names == ["support bundle kill-primary-hc-0001.tar.gz", "topology now", "logs pg-1"]
    assert got[0].mime == "application/gzip" and got[0].body == bundle.path.read_bytes()
    assert b"hunter2" not in got[2].body
    assert b"pg (static) primary: pg-1 (as declared)" in got[1].body


def test_a_hachaos_error_in_setup_or_run_gets_the_bundle_before_teardown(tmp_path: Path) -> None:
    import pytest

    from hachaos.errors import HachaosError
    from hachaos.plugin.items import _bundle_on_error

    got: list[str] = []
    bus = EventBus()
    bus.subscribe(lambda e: got.append(e.name) if isinstance(e, Attachment) else None)
    stack = _bundle_stack(FakeNode("pg-1", "primary", log="ready\n"))
    with pytest.raises(HachaosError), _bundle_on_error(stack, bus, "s", tmp_path):
        raise HachaosError("client setup: connection refused")
    assert "logs pg-1" in got and (tmp_path / "s-hc-0001.tar.gz").is_file()
    got.clear()
    with pytest.raises(KeyError), _bundle_on_error(stack, bus, "s", tmp_path):
        raise KeyError("a bug, not a run problem")
    assert got == []


def test_notes_are_shown_with_the_verdict_everywhere() -> None:
    note = "size=1: not HA: one server is a single point of failure"
    noted = replace(result("quorum-lose-majority[size=1]"), notes=(note,))
    assert f"{'':12} note: {note}" in verdict_lines(noted)
    assert ("note", note) in junit_properties(noted)
    assert f"<li>{note}</li>" in verdict_html(noted)
    plain = result()
    assert not any("note" in line for line in verdict_lines(plain))
    assert "Notes" not in verdict_html(plain)
