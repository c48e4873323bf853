"""Allure subscriber: turns core events into Allure steps, attachments and parameters.

Only this module imports allure; the core emits events and never knows who listens.
"""

from __future__ import annotations

import uuid

import allure
from allure_commons import plugin_manager
from allure_commons.types import AttachmentType

from hachaos.events import Attachment, Parameter, StepFinished, StepStarted

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

    def __init__(self) -> None:
        self._open: list[tuple[str, str]] = []  # (step name, allure uuid), innermost last

    def __call__(self, event: object) -> None:
        """Handle one event."""
        if isinstance(event, StepStarted):
            step_id = uuid.uuid4().hex
            self._open.append((event.name, step_id))
            plugin_manager.hook.start_step(uuid=step_id, title=event.name, params=event.params)
        elif isinstance(event, StepFinished):
            self._finish(event)
        elif isinstance(event, Attachment):
            kind = _TYPES.get(event.extension, AttachmentType.TEXT)
            allure.attach(
                event.body, name=event.name, attachment_type=kind, extension=event.extension
            )
        elif isinstance(event, Parameter):
            # Measured values differ run to run: excluded, so Allure's history id stays stable.
            allure.dynamic.parameter(event.name, event.value, excluded=True)

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


def label_scenario(item: object) -> None:
    """Title, suite and description of a scenario's Allure result."""
    loaded = getattr(item, "loaded", None)
    if loaded is None:
        return
    allure.dynamic.title(loaded.spec.name)
    allure.dynamic.suite(loaded.stack.name)
    if loaded.spec.description:
        allure.dynamic.description(loaded.spec.description)
