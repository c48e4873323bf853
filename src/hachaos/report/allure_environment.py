"""Allure's `environment.properties` and `executor.json`, written from the certification record."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hachaos.certification.record import Certification


def environment(record: Certification) -> dict[str, str]:
    """Key/value facts for Allure's environment panel: versions, seed, engine, host."""
    env = {
        "hachaos": record.hachaos_version,
        "git": record.git_sha or "-",
        "seed": str(record.seed) if record.seed is not None else "random (per run)",
        "repeat": str(record.repeat),
        "engine": record.host.engine or "-",
        "kernel": record.host.kernel,
        "os": record.host.os,
        "python": record.host.python,
    }
    for stack in record.stacks.values():
        software: dict[str, set[str]] = {}
        for facts in stack.nodes.values():
            for name, version in facts.software.items():
                software.setdefault(name, set()).add(version)
        for name, versions in sorted(software.items()):
            env[f"{stack.name}.{name}"] = ", ".join(sorted(versions))
    return env


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", " ")


def write_environment(results_dir: Path, record: Certification) -> Path:
    """Write environment.properties (Java properties: `key = value`)."""
    path = results_dir / "environment.properties"
    lines = [f"{k} = {_escape(v)}" for k, v in environment(record).items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_executor(results_dir: Path, record: Certification, run_name: str) -> Path:
    """Write executor.json: who built this report (CI build URL when the CI sets one)."""
    path = results_dir / "executor.json"
    executor = {
        "name": "hachaos",
        "type": "hachaos",
        "buildName": run_name,
        "reportName": "hachaos chaos run",
    }
    if os.environ.get("HACHAOS_BUILD_URL"):
        executor["buildUrl"] = os.environ["HACHAOS_BUILD_URL"]
    path.write_text(json.dumps(executor, indent=2) + "\n")
    return path
