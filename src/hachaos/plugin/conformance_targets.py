"""Conformance targets from the command line: `--hachaos-conformance-stack NAME[:PROFILE]`
(a stack file to boot) and `--hachaos-conformance-run RUN_ID[:PROFILE]` (a run that is up,
found through the backend's `runs()`); the profile defaults to the one named like the stack.
A bad name is a usage error, before anything boots."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from hachaos.conformance.load import find_profile, load_profile, profile_dirs
from hachaos.conformance.profile import Profile
from hachaos.errors import HachaosError
from hachaos.plugin.state import SessionState
from hachaos.spec.loader import find_stack_file, load_stack, stack_search_dirs
from hachaos.spec.models import StackSpec


@dataclass(frozen=True)
class TargetSpec:
    """A stack to check and the profile to check it against; `run_id` attaches to that run
    instead of booting one."""

    spec: StackSpec
    profile: Profile
    run_id: str | None = None

    @property
    def label(self) -> str:
        """`STACK`, `STACK@RUN` when attached, `+PROFILE` when not the stack's own profile:
        unique per target, the prefix of its test ids."""
        base = f"{self.spec.name}@{self.run_id}" if self.run_id else self.spec.name
        return base if self.profile.name == self.spec.name else f"{base}+{self.profile.name}"

    @property
    def bundle_name(self) -> str:
        """`conformance-STACK[-PROFILE]` (the run id follows in the file name)."""
        own = self.profile.name == self.spec.name
        return f"conformance-{self.spec.name}" + ("" if own else f"-{self.profile.name}")


def _split(value: str) -> tuple[str, str | None]:
    name, sep, profile = value.partition(":")
    return name, (profile or None) if sep else None


def resolve_targets(config: pytest.Config, state: SessionState) -> list[TargetSpec]:
    """The targets the command line names; UsageError (one line each) when one is bad."""
    opt = config.option
    root = Path(config.rootpath)
    profiles = profile_dirs(root, [Path(d) for d in opt.hachaos_profiles])
    stacks = stack_search_dirs(root, state.stack_dirs)
    out: list[TargetSpec] = []
    try:
        for value in opt.hachaos_conformance_stack:
            name, profile = _split(value)
            path = find_stack_file(name, stacks)
            if path is None:
                raise HachaosError(
                    f"unknown stack '{name}' (looked in {', '.join(map(str, stacks))})"
                )
            profile_path = find_profile(profile or name, profiles)
            out.append(TargetSpec(load_stack(path), load_profile(profile_path)))
        for value in opt.hachaos_conformance_run:
            run_id, profile = _split(value)
            out.append(_attached(state, run_id, profile, stacks, profiles))
    except HachaosError as exc:
        raise pytest.UsageError(f"hachaos conformance: {exc}") from None
    return out


def _attached(
    state: SessionState, run_id: str, profile: str | None, stacks: list[Path], profiles: list[Path]
) -> TargetSpec:
    found = [r for r in state.backend.runs() if r.run_id == run_id]
    if not found:
        raise HachaosError(f"no run '{run_id}' on backend {state.backend_name} (see hachaos ps)")
    path = find_stack_file(found[0].stack, stacks)
    if path is None:
        raise HachaosError(f"run {run_id} is of stack '{found[0].stack}', whose file is not found")
    spec = load_stack(path)
    return TargetSpec(spec, load_profile(find_profile(profile or spec.name, profiles)), run_id)
