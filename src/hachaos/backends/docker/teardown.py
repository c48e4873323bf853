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
    containers = api.containers(all=True, filters=filters)
    helpers = api.containers(all=True, filters=helper_filter(run_id))
    with ThreadPoolExecutor(max_workers=max(1, min(16, len(containers) + len(helpers)))) as pool:
        removed = sum(pool.map(lambda c: _remove_container(api, c["Id"]), containers))
        list(pool.map(lambda c: _remove_container(api, c["Id"]), helpers))
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
