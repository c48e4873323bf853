"""Bad input on a hosts stack: one line naming the host and what to fix, exit 3, and nothing
injected anywhere (no journal entry, no pytest item run)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from netfakes import free_port

from hachaos.errors import InfraError
from hachaos.spec.models import StackSpec
from hachaos.targets import require_named

pytest_plugins = ["pytester"]


# unique per run: local:// sees every process of this shared machine, and another session's
# process (a grep for the pattern, say) must not count as this service running
NEVER_RUNNING = f"hachaos-never-running-{uuid.uuid4().hex}"


def hosts_stack(host: str, name: str = "prod-redis") -> str:
    return textwrap.dedent(
        f"""\
        name: {name}
        backend: hosts
        ready_timeout_s: 2
        ssh: {{connect_timeout_s: 2}}
        nodes:
          cache-1:
            role: primary
            host: "{host}"
            service: {{pgrep: "{NEVER_RUNNING}", start: ["true"], stop: ["true"]}}
        """
    )


def hachaos(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hachaos.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_hosts_stack_the_run_does_not_name_is_refused_naming_its_hosts() -> None:
    stack = StackSpec.model_validate(
        {
            "name": "prod-redis",
            "backend": "hosts",
            "nodes": {"a": {"role": "app", "host": "ssh://10.9.9.9", "service": {"systemd": "r"}}},
        }
    )
    with pytest.raises(InfraError) as err:
        require_named(stack, ["prod-redls"], "--hachaos-target")
    assert str(err.value) == (
        "stack 'prod-redis' is an existing deployment (ssh://10.9.9.9): refusing to inject faults "
        "there unless the run names it: add --hachaos-target prod-redis (named: prod-redls)"
    )
    require_named(stack, ["prod-redis"], "--hachaos-target")  # named: accepted


def test_hachaos_up_without_the_target_name_exits_3(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(hosts_stack("local://"))
    res = hachaos("up", str(tmp_path / "s.yaml"))
    assert res.returncode == 3
    [line] = res.stderr.strip().splitlines()
    assert "add --target prod-redis" in line and "local://" in line


def test_an_unreachable_host_is_one_line_naming_it_exit_3(tmp_path: Path) -> None:
    port = free_port()
    (tmp_path / "s.yaml").write_text(hosts_stack(f"ssh://root@127.0.0.1:{port}"))
    res = hachaos("up", str(tmp_path / "s.yaml"), "--target", "prod-redis")
    assert res.returncode == 3
    [line] = res.stderr.strip().splitlines()
    assert f"host ssh://root@127.0.0.1:{port}: cannot connect" in line
    assert "check the address, port and that sshd runs there" in line


def test_a_service_that_is_not_running_is_one_line_naming_the_node_exit_3(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(hosts_stack("local://"))
    res = hachaos("up", str(tmp_path / "s.yaml"), "--target", "prod-redis")
    assert res.returncode == 3
    [line] = res.stderr.strip().splitlines()
    assert line.startswith("hachaos: error: node cache-1 (local://): service not found")
    assert "fix the node's 'service:'" in line


SCENARIO = """\
name: kill-cache
stack: redis-sentinel
probe: {type: tcp, target: {node: cache-1, port: 6379}}
fault: {action: kill, target: {role: primary}}
budget: {recovery_time_s: 5}
"""


@pytest.mark.parametrize("named", [False, True])
def test_a_session_stops_before_any_scenario_runs_exit_3(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, named: bool
) -> None:
    mine = pytester.path / "my-stacks"
    mine.mkdir()
    # the scenario's `stack: redis-sentinel` is pointed at this file by --hachaos-stacks
    (mine / "redis-sentinel.yaml").write_text(
        hosts_stack("local://").replace("role: primary\n", "role: primary\n    ports: [6379]\n")
    )
    (pytester.path / "scenarios").mkdir()
    (pytester.path / "scenarios" / "kill.yaml").write_text(SCENARIO)
    runs = pytester.path / "runs"
    monkeypatch.setenv("HACHAOS_RUNS_DIR", str(runs))
    args = ["scenarios", "-p", "no:cacheprovider", "--hachaos-stacks", str(mine)]
    result = pytester.runpytest_subprocess(*args, *(["--hachaos-target", "prod-redis"] * named))
    assert result.ret == 3
    text = result.stdout.str() + result.stderr.str()
    if named:
        assert "node cache-1 (local://): service not found" in text, text
    else:
        assert "refusing to inject faults there unless the run names it" in text, text
        assert "add --hachaos-target prod-redis" in text, text
    assert "no tests ran" in text, text
    assert not list(runs.glob("*/journal.jsonl"))  # no run started: nothing was injected
