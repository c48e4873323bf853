"""Conformance on real containers, reached only through testinfra (`docker://`): the Redis demo
profile passes; a stopped replica and a backup that no longer matches fail with what to fix;
the support bundle of the live stack holds the topology as it is now. Then the pytest suite
end to end: a Redis stack whose Sentinel quorum cannot be met FAILs CKQUORUM, with its bundle
written and attached to the Allure result."""

from __future__ import annotations

import json
import shutil
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests_support import REPO, repo_stack

from hachaos.backends.docker.backend import DockerBackend
from hachaos.backends.docker.reach import ENV as REACH_ENV
from hachaos.conformance.check import Check
from hachaos.conformance.load import load_profile
from hachaos.conformance.outcome import Outcome, Status
from hachaos.conformance.plan import plan
from hachaos.conformance.profile import Profile
from hachaos.conformance.target import Target
from hachaos.node import Stoppable
from hachaos.report.bundle import write_bundle
from hachaos.running import RunningStack

pytestmark = pytest.mark.integration
pytest_plugins = ["pytester"]
PROFILE = load_profile(REPO / "fixtures" / "profiles" / "redis-sentinel.yaml")


@pytest.fixture(scope="module")
def redis(docker_backend: DockerBackend) -> Iterator[RunningStack]:
    """Booted as `tox -e conformance` boots its stacks: every declared port published (the
    profile's `published` checks are about host bindings)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv(REACH_ENV, "published")
        with repo_stack(docker_backend, "redis-sentinel") as stack:
            yield stack


def judge_all(
    stack: RunningStack, profile: Profile, group: str | None = None
) -> dict[str, Outcome]:
    target = Target(stack, profile)
    target.prefetch()
    checks: list[Check] = plan(profile, stack.spec, group)
    return {f"{c.group}:{c.id}": c.judge(target) for c in checks}


def test_the_demo_profile_passes_on_the_booted_stack(redis: RunningStack) -> None:
    got = judge_all(redis, PROFILE)
    failed = {k: o.message for k, o in got.items() if o.status is not Status.PASS}
    assert failed == {}
    bound = {host for n in redis.nodes.values() for host, _ in n.address().published.values()}
    assert bound == {"127.0.0.1"}  # published reach: on loopback only
    assert len(got) >= 30
    assert (
        "OK 3 usable Sentinels" in got["replication:sentinel/sentinel-1/sentinel-ckquorum"].observed
    )


def test_a_stopped_replica_fails_replication_with_the_fix(redis: RunningStack) -> None:
    replica = redis.node("redis-3")
    assert isinstance(replica, Stoppable)
    replica.stop(timeout_s=2)
    try:
        got = judge_all(redis, PROFILE, "replication")
    finally:
        replica.start()
    stopped = got["replication:replica/redis-3/redis-replication"]
    assert stopped.status is Status.FAIL
    assert "is not running" in stopped.observed and "start redis-3" in stopped.fix
    master = got["replication:master/redis-1/redis-replication"]
    assert master.status is Status.FAIL and "1 of 2 replicas online" in master.observed


def test_a_backup_off_the_node_restores_until_the_key_changes(redis: RunningStack) -> None:
    key = "/var/lib/hachaos-demo/encryption.key"
    node, store = redis.node("redis-1"), redis.node("sentinel-1")
    assert node.exec(["sh", "-c", f"mkdir -p {key.rsplit('/', 1)[0]} && echo k1 > {key}"]).ok
    archive = node.exec(["sh", "-c", f"tar -czf - -C / {key[1:]} | base64 -w0"]).output
    assert store.exec(
        ["sh", "-c", f"mkdir -p /srv/backups && echo {archive} | base64 -d > /srv/backups/a.tgz"]
    ).ok
    profile = Profile.model_validate(
        {
            "name": "b",
            "backups": [
                {
                    "name": "encryption-key",
                    "role": "master",
                    "paths": [key],
                    "verify": "checksum",
                    "store": {"node": "sentinel-1", "path": "/srv/backups/*.tgz"},
                    "max_age_h": 1,
                }
            ],
        }
    )
    [(_, ok)] = judge_all(redis, profile, "backups").items()
    assert ok.status is Status.PASS, ok.message
    assert node.exec(["sh", "-c", f"echo k2 > {key}"]).ok
    [(_, changed)] = judge_all(redis, profile, "backups").items()
    assert changed.status is Status.FAIL
    assert (
        "restored file(s) differ from redis-1's" in changed.observed and "k2" not in changed.message
    )


def test_bundle_of_the_live_stack(redis: RunningStack, tmp_path: Path) -> None:
    bundle = write_bundle(redis, "live", tmp_path)
    assert bundle.timed_out == () and bundle.size < 1024 * 1024 and bundle.seconds < 45
    with tarfile.open(bundle.path) as tar:
        names = tar.getnames()
        topo = tar.extractfile(f"live-{redis.run_id}/topology.txt")
        assert topo is not None
        text = topo.read().decode()
    assert "redis-sentinel (redis-sentinel) master now: redis-" in text
    assert f"live-{redis.run_id}/nodes/sentinel-2/status.txt" in names


def test_suite_fails_ckquorum_on_the_broken_stack_and_attaches_the_bundle(
    pytester: pytest.Pytester,
) -> None:
    for sub in (
        "fixtures/stacks",
        "fixtures/profiles",
        "fixtures/broken-stacks",
        "suites/conformance",
    ):
        shutil.copytree(REPO / sub, pytester.path / sub)
    result = pytester.runpytest_subprocess(
        "suites/conformance",
        "-m",
        "conformance",
        "-p",
        "no:cacheprovider",
        "-k",
        "replication",
        "--hachaos-stacks",
        "fixtures/broken-stacks",
        "--alluredir",
        "allure",
        "--hachaos-conformance-stack",
        "redis-sentinel-noquorum:redis-sentinel",
    )
    result.assert_outcomes(passed=5, failed=3)
    result.stdout.fnmatch_lines(
        [
            "*sentinel-1: SENTINEL CKQUORUM mymaster: NOQUORUM 3 usable Sentinels*",
            "*how to fix: run enough Sentinels that a majority can authorise a failover*",
            "*support bundle: reports/bundles/conformance-redis-sentinel-noquorum-redis-sentinel-*",
            "*redis-sentinel-noquorum+redis-sentinel (profile redis-sentinel, booted hc-*): "
            "8 checks: 5 pass, 3 fail*",
        ]
    )
    [bundle] = list((pytester.path / "reports" / "bundles").glob("*.tar.gz"))
    summary = json.loads((pytester.path / "reports" / "conformance.json").read_text())
    assert summary[0]["fail"] == 3 and summary[0]["bundle"]["bytes"] == bundle.stat().st_size
    failed = [
        json.loads(p.read_text())
        for p in (pytester.path / "allure").glob("*-result.json")
        if json.loads(p.read_text())["status"] == "failed"
    ]
    assert len(failed) == 3
    for res in failed:
        [step] = [st for st in res["steps"] if st["name"] == "support bundle"]
        attached = {a["name"]: a for a in step["attachments"]}
        tarball = attached[f"support bundle {bundle.name}"]
        assert tarball["type"] == "application/gzip"
        labels = {(lab["name"], lab["value"]) for lab in res["labels"]}
        assert ("feature", "replication") in labels and ("story", "sentinel") in labels
