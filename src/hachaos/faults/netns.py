"""Short-lived helper containers that join a target's network namespace with NET_ADMIN.

Works against a remote DOCKER_HOST too: nothing runs on the host but the Docker API calls.
Helpers carry `io.hachaos.helper=<run_id>` so a reaper finds any that outlived their caller.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
from docker.errors import APIError, DockerException, NotFound
from requests import RequestException

from hachaos.errors import FaultError

HELPER_LABEL = "io.hachaos.helper"
TOOLS_IMAGE = os.environ.get("HACHAOS_TOOLS_IMAGE", "hachaos/tools")
_SCRIPT = (Path(__file__).with_name("nsfw.py")).read_text()


@dataclass(frozen=True)
class Probe:
    """Connect from inside the namespace to `host:port`, expecting `blocked` or `reachable`."""

    host: str
    port: int
    expect: str
    peer: str = ""


@dataclass(frozen=True)
class NetnsRequest:
    """What one helper run does: remove tagged rules, add rules, then probe."""

    add: tuple[tuple[str, ...], ...] = ()
    remove: str | None = None
    prefix: bool = False
    probes: tuple[Probe, ...] = ()
    settle_s: float = 3.0
    probe_timeout_s: float = 0.5

    def to_json(self) -> str:
        """The helper script's argument."""
        return json.dumps(
            {
                "add": [list(a) for a in self.add],
                "remove": self.remove,
                "prefix": self.prefix,
                "probes": [p.__dict__ for p in self.probes],
                "settle_s": self.settle_s,
                "probe_timeout_s": self.probe_timeout_s,
            }
        )


@dataclass(frozen=True)
class ProbeResult:
    """One probe's outcome inside the namespace."""

    peer: str
    host: str
    port: int
    expect: str
    result: str
    ok: bool


@dataclass(frozen=True)
class NetnsResponse:
    """What one helper run did."""

    removed: int
    added: int
    probes: tuple[ProbeResult, ...] = ()
    error: str | None = None
    skipped: str | None = None  # e.g. the target container is not running: no namespace

    @property
    def probes_ok(self) -> bool:
        """Every probe met its expectation."""
        return all(p.ok for p in self.probes)

    def failed_probes(self) -> list[ProbeResult]:
        """Probes that did not meet their expectation."""
        return [p for p in self.probes if not p.ok]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> NetnsResponse:
        """Parse the helper script's output."""
        probes = tuple(
            ProbeResult(**{k: p[k] for k in ProbeResult.__dataclass_fields__})
            for p in data.get("probes") or ()
        )
        return cls(int(data["removed"]), int(data["added"]), probes, data.get("error"))


@dataclass
class DockerNetns:
    """Runs helper containers in other containers' network namespaces."""

    api: docker.APIClient
    run_id: str
    image: str = TOOLS_IMAGE
    timeout_s: float = 30.0
    labels: dict[str, str] = field(default_factory=dict)

    def running(self, container_id: str) -> bool:
        """Whether the container (and so its namespace) exists and runs; paused counts."""
        try:
            return bool(self.api.inspect_container(container_id)["State"]["Running"])
        except NotFound:
            return False

    def run(self, container_id: str, request: NetnsRequest) -> NetnsResponse:
        """One helper run in `container_id`'s namespace; FaultError if it cannot run."""
        if not self.running(container_id):
            return NetnsResponse(0, 0, skipped=f"container {container_id[:12]} is not running")
        helper = self._create(container_id, request)
        try:
            self.api.start(helper)
            status = self.api.wait(helper, timeout=math.ceil(self.timeout_s))
            out = self.api.logs(helper, stdout=True, stderr=False).decode(errors="replace")
            err = self.api.logs(helper, stdout=False, stderr=True).decode(errors="replace")
        except (DockerException, RequestException) as exc:  # engine error, or wait timed out
            raise FaultError(f"netns helper in {container_id[:12]}: {exc}") from None
        finally:
            self._remove(helper)
        if status.get("StatusCode") != 0 or not out.strip():
            tail = (err.strip().splitlines() or ["no output"])[-1]
            raise FaultError(f"netns helper in {container_id[:12]} failed: {tail}")
        return NetnsResponse.from_json(json.loads(out.strip().splitlines()[-1]))

    def run_many(self, requests: Mapping[str, NetnsRequest]) -> dict[str, NetnsResponse]:
        """Helper runs in several namespaces in parallel, keyed by container id."""
        if not requests:
            return {}
        with ThreadPoolExecutor(max_workers=min(16, len(requests))) as pool:
            futures = {cid: pool.submit(self.run, cid, req) for cid, req in requests.items()}
            return {cid: f.result() for cid, f in futures.items()}

    def _create(self, container_id: str, request: NetnsRequest) -> str:
        host_config = self.api.create_host_config(
            network_mode=f"container:{container_id}", cap_add=["NET_ADMIN"]
        )
        try:
            created = self.api.create_container(
                self.image,
                entrypoint=["python3", "-c", _SCRIPT, request.to_json()],
                labels={HELPER_LABEL: self.run_id, **self.labels},
                host_config=host_config,
            )
        except NotFound:
            short = self.image.split("/")[-1].split(":")[0]
            raise FaultError(
                f"helper image {self.image} missing; run: hachaos images build {short}"
            ) from None
        except APIError as exc:
            raise FaultError(f"cannot create netns helper: {exc.explanation or exc}") from None
        return str(created["Id"])

    def _remove(self, helper: str) -> None:
        try:
            self.api.remove_container(helper, force=True)
        except NotFound:
            pass
        except APIError as exc:
            if exc.status_code != 409:  # 409: removal already in progress
                raise
