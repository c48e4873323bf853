"""Allure subscriber: turns core events into Allure steps, attachments and parameters.

Only this module imports allure; the core emits events and never knows who listens.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import allure
from allure_commons import plugin_manager
from allure_commons.types import AttachmentType

from hachaos.events import Attachment, Message, Parameter, StepFinished, StepStarted
from hachaos.redact import redact
from hachaos.report.allure_metrics import write_metrics
from hachaos.report.timeline import timeline_png
from hachaos.report.verdict_table import verdict_html
from hachaos.scenario.result import ResultReady

SCENARIO_LABEL = "scenario"
_TYPES = {
    "jsonl": AttachmentType.JSON,
    "json": AttachmentType.JSON,
    "txt": AttachmentType.TEXT,
    "csv": AttachmentType.CSV,
    "png": AttachmentType.PNG,
}


class AllureSubscriber:
    """Maps StepStarted/StepFinished to nested Allure steps; attachments and parameters to the
    current test result."""

    def __init__(self, results_dir: Path | None = None) -> None:
        self._results_dir = results_dir
        self._open: list[tuple[str, str]] = []  # (step name, allure uuid), innermost last
        self._warnings: list[str] = []

    def __call__(self, event: object) -> None:
        """Handle one event."""
        if isinstance(event, StepStarted):
            step_id = uuid.uuid4().hex
            self._open.append((event.name, step_id))
            plugin_manager.hook.start_step(uuid=step_id, title=event.name, params=event.params)
        elif isinstance(event, StepFinished):
            self._finish(event)
        elif isinstance(event, Attachment):
            # a type Allure knows by extension, else the event's own MIME type (a .tar.gz)
            kind = _TYPES.get(event.extension) or event.mime
            allure.attach(
                event.body, name=event.name, attachment_type=kind, extension=event.extension
            )
        elif isinstance(event, Parameter):
            # Measured values differ run to run: excluded, so Allure's history id stays stable.
            allure.dynamic.parameter(event.name, event.value, excluded=not event.identity)
        elif isinstance(event, Message) and event.level != "info":
            self._warn(f"{event.level}: {redact(event.text)}")
        elif isinstance(event, ResultReady):
            self._result(event)

    def _warn(self, text: str) -> None:
        """A warning (split brain, a stack that did not re-form) kept in the result itself."""
        self._warnings.append(text)
        allure.attach(text, name=text[:80], attachment_type=AttachmentType.TEXT)

    def _result(self, event: ResultReady) -> None:
        """The verdict table on top (the description), the outcome as tags, the timeline."""
        result = event.result
        v = result.verdict
        allure.dynamic.description_html(verdict_html(result, self._warnings))
        allure.dynamic.tag(f"verdict:{v.outcome}", f"reason:{v.reason}")
        title = f"{result.scenario}  {v.outcome.upper()} [{v.reason}]  run {result.run_id}"
        png = timeline_png(result.history, title, result.recovery)
        allure.attach(png, name="timeline", attachment_type=AttachmentType.PNG, extension="png")
        if self._results_dir is not None:
            write_metrics(self._results_dir, result)

    def _finish(self, event: StepFinished) -> None:
        while self._open:
            name, step_id = self._open.pop()
            failed = event.error is not None and name == event.name
            exc = _StepError(event.error) if failed else None
            plugin_manager.hook.stop_step(
                uuid=step_id, exc_type=type(exc) if exc else None, exc_val=exc, exc_tb=None
            )
            if name == event.name:
                return


class _StepError(Exception):
    """Carries a failed step's message to Allure."""


def label_scenario(item: object, *, labels: bool = True) -> None:
    """Title, description and (with `labels`) suite and scenario label of a scenario's result."""
    loaded = getattr(item, "loaded", None)
    if loaded is None:
        return
    allure.dynamic.title(loaded.label)
    if labels:
        allure.dynamic.suite(loaded.stack.name)
        # the report's tree groups by it: one row per scenario and matrix point (as in the
        # certification record), its repeats inside; a point folded into its scenario's row
        # would not be on the overview by its name
        allure.dynamic.label(SCENARIO_LABEL, loaded.label)
    if loaded.spec.description:
        allure.dynamic.description(loaded.spec.description)
