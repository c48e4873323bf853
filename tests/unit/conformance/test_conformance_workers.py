"""Worker configuration on fake nodes: settings from the environment or a file, commented-out
settings, the pool size against the CPUs, and the token checked against the broker's stored
hash without either value ever appearing in a message."""

from __future__ import annotations

import json

from conffakes import FakeShell, stack_of, target_of, when

from hachaos.conformance.broker import StoredUser, is_password, stored_users
from hachaos.conformance.outcome import Outcome, Status
from hachaos.conformance.plan import plan
from hachaos.conformance.settings import parse_settings, self_proof
from hachaos.conformance.shell import Ran

# RabbitMQ 3.10's stored hash of the password "guest" (rabbitmqctl export_definitions)
GUEST_HASH = "sIBfvzVxK3UCAgIImXWZeVpzULF95MZoiRqih/WQqYrphZw5"
DEFINITIONS = json.dumps(
    {
        "users": [
            {
                "name": "guest",
                "password_hash": GUEST_HASH,
                "hashing_algorithm": "rabbit_password_hashing_sha256",
            }
        ]
    }
)
STACK = stack_of(
    {"name": "plat", "nodes": {"worker-1": {"role": "worker"}, "rabbit-1": {"role": "rabbit"}}}
)
WORKERS = {
    "settings": {"process": "platform_app.worker"},
    "build_endpoint": "AMQP_ENDPOINTS",
    "platform_host": "PLATFORM_URL",
    "pool_size": "POOL_SIZE",
    "token": "PLATFORM_TOKEN",
    "broker": {"role": "rabbit", "user_setting": "AMQP_USER"},
}
FACTS = "## nproc\n2\n"


def environ(**values: str) -> str:
    return "".join(f"{k}={v}\n" for k, v in values.items())


GOOD = environ(
    AMQP_ENDPOINTS="rabbit-1:5672",
    PLATFORM_URL="http://lb:80",
    POOL_SIZE="2",
    PLATFORM_TOKEN="guest",
    AMQP_USER="guest",
)


def run_all(env: str) -> tuple[dict[str, Outcome], dict[str, FakeShell]]:
    worker = [when("environ", env), when("nproc", FACTS), when("getent", "10.0.0.5 lb")]
    broker = [when("export_definitions", DEFINITIONS)]
    target, shells = target_of(
        STACK, {"workers": WORKERS}, {"worker-1": worker, "rabbit-1": broker}
    )
    return {c.name: c.judge(target) for c in plan(target.profile, STACK, "workers")}, shells


def test_a_well_configured_worker_passes_every_check() -> None:
    got, shells = run_all(GOOD)
    names = ("build-endpoint", "platform-host", "pool-size", "token")
    assert [got[k].status for k in names] == [Status.PASS] * 4
    assert "neither is shown" in got["token"].observed
    # secrets are read with the command log muted, and pgrep cannot find its own shell
    assert any("[p]latform_app.worker" in a for a in shells["worker-1"].secret[0])
    assert shells["rabbit-1"].secret


def test_a_wrong_token_fails_without_showing_it() -> None:
    got, _ = run_all(GOOD.replace("PLATFORM_TOKEN=guest", "PLATFORM_TOKEN=s3cret-token"))
    outcome = got["token"]
    assert outcome.status is Status.FAIL
    assert "is not the password of broker user 'guest'" in outcome.message
    assert "s3cret-token" not in outcome.message and GUEST_HASH not in outcome.message


def test_missing_user_pool_too_big_and_unresolvable_host() -> None:
    env = GOOD.replace("POOL_SIZE=2", "POOL_SIZE=8").replace("AMQP_USER=guest", "AMQP_USER=ci")
    got, _ = run_all(env)
    assert "POOL_SIZE=8, the node has 2 CPUs" in got["pool-size"].observed
    assert "broker user 'ci' does not exist" in got["token"].observed


def test_settings_file_with_a_commented_out_endpoint() -> None:
    text = (
        "# BUILD_ENDPOINT=https://ci.example/builds\nPLATFORM_HOST: 'ci.example'\nexport POOL=3\n"
    )
    settings = parse_settings(text, "/etc/worker.conf")
    assert settings.values == {"PLATFORM_HOST": "ci.example", "POOL": "3"}
    assert settings.commented == {"BUILD_ENDPOINT": 1}
    assert "ci.example" not in repr(settings)
    workers = {
        **WORKERS,
        "settings": {"file": "/etc/worker.conf"},
        "build_endpoint": "BUILD_ENDPOINT",
    }
    target, _ = target_of(
        STACK, {"workers": workers}, {"worker-1": [when("/etc/worker.conf", text)]}
    )
    check = next(c for c in plan(target.profile, STACK, "workers") if c.name == "build-endpoint")
    outcome = check.judge(target)
    assert outcome.status is Status.FAIL
    assert "BUILD_ENDPOINT is commented out (/etc/worker.conf, line 1)" in outcome.observed
    assert "remove the leading '#'" in outcome.fix


def test_no_worker_process_is_a_failure_naming_it() -> None:
    target, _ = target_of(
        STACK,
        {"workers": WORKERS},
        {"worker-1": [when("environ", "", rc=3, stderr="no process matches")]},
    )
    outcome = plan(target.profile, STACK, "workers")[0].judge(target)
    assert outcome.status is Status.FAIL and "no process matches" in outcome.observed


def test_rabbitmq_hashes() -> None:
    user = stored_users(DEFINITIONS)["guest"]
    assert is_password(user, "guest") is True
    assert is_password(user, "Guest") is False
    assert is_password(StoredUser("x", "", "rabbit_password_hashing_sha256"), "x") is None
    assert (
        is_password(StoredUser("x", GUEST_HASH, "rabbit_password_hashing_argon"), "guest") is None
    )
    assert stored_users("not json") == {}
    assert self_proof("platform_app.worker") == "[p]latform_app.worker"
    assert Ran(1, "", "x").why() == "x"
