"""The session's certification record, built from the state a pytest session collected."""

from __future__ import annotations

import pytest

from hachaos.certification.build import certification
from hachaos.certification.host import git_sha, hachaos_version, host_facts
from hachaos.certification.record import Certification
from hachaos.plugin.state import SessionState

CERTIFICATION = pytest.StashKey[Certification]()


def session_certification(state: SessionState) -> Certification:
    """Versions, host facts, stacks and every scenario run of the session."""
    return certification(
        state.results,
        version=hachaos_version(),
        git_sha=git_sha(),
        host=host_facts(state.engine_version()),
        stacks=dict(state.stacks),
        seed=state.seed,
        repeat=state.repeat,
    )
