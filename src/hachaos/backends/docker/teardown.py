"""Removing everything a run created: containers (killed, no grace), netns helpers, networks,
volumes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import docker
from docker.errors import APIError, NotFound

from hachaos.backends.base import ReapReport
from hachaos.backends.docker import labels
from hachaos.backends.docker.netns import helper_filter

MAX_PARALLEL = 64


def _remove_container(api: docker.APIClient, cid: str) -> int:
    try:
        api.remove_container(cid, force=True, v=True)
    except NotFound:
        return 0
    except APIError as exc:
        if exc.status_code == 409:  # removal already in progress
            return 0
        raise
    return 1


def reap(api: docker.APIClient, run_id: str | None) -> ReapReport:
    """Kill and remove every container, network and volume labelled with `run_id` (or any run);
    netns helpers of the run go too but are not counted (they belong to no stack)."""
    t0 = time.monotonic()
    filters = labels.run_filter(run_id)
    containers = [c["Id"] for c in api.containers(all=True, filters=filters)]
    helpers = [c["Id"] for c in api.containers(all=True, filters=helper_filter(run_id))]
    # every container at once (SIGKILL, no grace: their state is thrown away): the engine
    # removes them side by side, instead of in rounds of a fixed pool size
    workers = max(1, min(MAX_PARALLEL, len(containers) + len(helpers)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        done = list(pool.map(lambda cid: _remove_container(api, cid), containers + helpers))
    removed = sum(done[: len(containers)])
    networks = 0
    for net in api.networks(filters=filters):
        try:
            api.remove_network(net["Id"])
            networks += 1
        except NotFound:
            pass
    volumes = 0
    for vol in (api.volumes(filters=filters) or {}).get("Volumes") or []:
        try:
            api.remove_volume(vol["Name"], force=True)
            volumes += 1
        except NotFound:
            pass
    return ReapReport(run_id, removed, networks, volumes, time.monotonic() - t0)
