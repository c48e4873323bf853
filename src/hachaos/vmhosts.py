"""VM-like test hosts for the hosts backend: containers running sshd and their services under
supervisord (`fixtures/vmhosts/<name>/vms.yaml`, booted on Docker), and the hosts stack file
describing them (`hosts.yaml`, filled in with their IPs, a key made for the run and their host
keys). The hosts backend then reaches them only over SSH, at their bridge IPs, like VMs.

    with vm_hosts("redis-sentinel", tmp_path) as vms:
        pytest ... --hachaos-stacks {vms.stack_dir} --hachaos-target {vms.target}
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import paramiko

from hachaos.backends import get_backend
from hachaos.errors import InfraError
from hachaos.reaper import start_reaper
from hachaos.runid import new_run_id
from hachaos.running import RunningStack
from hachaos.spec.loader import load_stack
from hachaos.spec.models import StackSpec
from hachaos.usage import OneLineParser

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "vmhosts"
AUTHORIZED_KEYS = "/root/.ssh/authorized_keys"
HOST_KEYS = "cat /etc/ssh/ssh_host_ed25519_key.pub /etc/ssh/ssh_host_ecdsa_key.pub"
PLACEHOLDER = re.compile(r"\$\{([a-z0-9_-]+)\}")


@dataclass(frozen=True)
class VmHosts:
    """Booted test hosts and the hosts stack file that describes them."""

    name: str  # the deployment, e.g. `redis-sentinel` (the file name scenarios look up)
    stack_dir: Path  # for --hachaos-stacks
    stack_file: Path
    target: str  # the hosts stack's own name, for --hachaos-target
    machines: RunningStack  # the containers, on Docker (for tests that look behind the SSH)

    def stack(self) -> StackSpec:
        """The hosts stack, loaded."""
        return load_stack(self.stack_file)


def make_key(directory: Path) -> tuple[Path, str]:
    """A fresh ECDSA key pair: the private key file (0600) and the public key line."""
    key = paramiko.ECDSAKey.generate()
    path = directory / "id_hachaos"
    key.write_private_key_file(str(path))
    return path, f"{key.get_name()} {key.get_base64()} hachaos-test-run"


def with_key(vms: StackSpec, public_key: str) -> StackSpec:
    """Every machine authorizes `public_key` for root."""
    nodes = {
        name: node.model_copy(update={"files": {**node.files, AUTHORIZED_KEYS: public_key + "\n"}})
        for name, node in vms.nodes.items()
    }
    return vms.model_copy(update={"nodes": nodes})


def known_hosts(machines: RunningStack) -> str:
    """`IP keytype key` lines read from each machine's own files (out of band, not over SSH)."""
    lines = []
    for name, node in machines.nodes.items():
        ip = node.address().ip
        res = node.exec(["sh", "-c", HOST_KEYS], timeout_s=10)
        if not res.ok or ip is None:
            raise InfraError(f"test host {name}: cannot read its host keys: {res.output.strip()}")
        lines += [f"{ip} {' '.join(line.split()[:2])}" for line in res.output.splitlines() if line]
    return "\n".join(lines) + "\n"


def render(template: str, values: dict[str, str]) -> str:
    """`${key}` replaced by `values[key]`; an unknown placeholder is an error."""

    def one(match: re.Match[str]) -> str:
        if match[1] not in values:
            raise InfraError(f"hosts template: no value for ${{{match[1]}}}")
        return values[match[1]]

    return PLACEHOLDER.sub(one, template)


@contextmanager
def vm_hosts(name: str, workdir: Path) -> Iterator[VmHosts]:
    """Boot `fixtures/vmhosts/<name>` under a reaper; yield the filled-in hosts stack; always
    remove the machines (the reaper does it if this process dies)."""
    key_file, public = make_key(workdir)
    machines = with_key(load_stack(FIXTURES / name / "vms.yaml"), public)
    docker = get_backend("docker")
    run_id = new_run_id()
    reaper = start_reaper(run_id, backend=docker.name)
    try:
        running = docker.up(machines, run_id)
        hosts_file = workdir / "known_hosts"
        hosts_file.write_text(known_hosts(running))
        values = {n: str(node.address().ip) for n, node in running.nodes.items()}
        values.update(identity_file=str(key_file), known_hosts=str(hosts_file))
        stack_dir = workdir / "stacks"
        stack_dir.mkdir(exist_ok=True)
        stack_file = stack_dir / f"{name}.yaml"
        stack_file.write_text(render((FIXTURES / name / "hosts.yaml").read_text(), values))
        yield VmHosts(name, stack_dir, stack_file, load_stack(stack_file).name, running)
    finally:
        docker.down(run_id)
        reaper.stand_down()


def main(argv: list[str] | None = None) -> int:
    """`python -m hachaos.vmhosts NAME [--dir D] -- COMMAND...`: boot the test hosts, run
    COMMAND with `{stacks}`, `{target}` and `{stack_file}` filled in, remove the hosts."""
    import subprocess
    import sys
    import tempfile

    parser = OneLineParser(prog="python -m hachaos.vmhosts", description=main.__doc__)
    parser.add_argument("name", help="a directory of fixtures/vmhosts, e.g. redis-sentinel")
    parser.add_argument("--dir", type=Path, default=None, help="where the key and stack go")
    argv = list(sys.argv[1:] if argv is None else argv)
    cut = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:cut])
    command = argv[cut + 1 :]
    workdir = args.dir or Path(tempfile.mkdtemp(prefix="hachaos-vmhosts-"))
    workdir.mkdir(parents=True, exist_ok=True)
    with vm_hosts(args.name, workdir) as vms:
        fill = {
            "stacks": str(vms.stack_dir),
            "target": vms.target,
            "stack_file": str(vms.stack_file),
        }
        print(f"test hosts up: {vms.stack_file} (target {vms.target})", flush=True)
        if not command:
            return 0
        return subprocess.call([part.format(**fill) for part in command])


if __name__ == "__main__":
    raise SystemExit(main())
