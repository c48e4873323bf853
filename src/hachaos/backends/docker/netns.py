"""Firewall calls on Docker: a short-lived helper container joins the target's network
namespace with NET_ADMIN and runs the in-namespace script (`hachaos.firewall.nsfw`).

Works against a remote DOCKER_HOST too: nothing runs on the host but the Docker API calls.
Helpers carry `io.hachaos.helper=<run_id>` so a teardown finds any that outlived their caller.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field

import docker
from docker.errors import APIError, DockerException, NotFound
from requests import RequestException

from hachaos.errors import FaultError
from hachaos.firewall import helper_script
from hachaos.firewall.request import RuleRequest, RuleResponse

HELPER_LABEL = "io.hachaos.helper"
TOOLS_IMAGE = os.environ.get("HACHAOS_TOOLS_IMAGE", "hachaos/tools")


def helper_filter(run_id: str | None) -> dict[str, list[str]]:
    """A Docker `filters` value selecting one run's helpers, or every run's."""
    return {"label": [f"{HELPER_LABEL}={run_id}" if run_id else HELPER_LABEL]}


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

    def run(self, container_id: str, request: RuleRequest) -> RuleResponse:
        """One helper run in `container_id`'s namespace; FaultError if it cannot run."""
        if not self.running(container_id):
            return RuleResponse(0, 0, skipped=f"container {container_id[:12]} is not running")
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
        return RuleResponse.from_json(json.loads(out.strip().splitlines()[-1]))

    def _create(self, container_id: str, request: RuleRequest) -> str:
        host_config = self.api.create_host_config(
            network_mode=f"container:{container_id}", cap_add=["NET_ADMIN"]
        )
        try:
            created = self.api.create_container(
                self.image,
                entrypoint=["python3", "-c", helper_script(), request.to_json()],
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
