"""A Docker container as a Node: kill, stop, start, pause, resume, exec, logs, address, firewall
rules in its namespace, network disconnect, a reference the reaper reaches it by, a testinfra
connection string and the facts of its container runtime."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import docker
from docker.errors import APIError, NotFound

from hachaos.backends.docker import labels, network, reach
from hachaos.backends.docker.logwatch import LogWatch
from hachaos.backends.docker.netns import DockerNetns
from hachaos.errors import FaultError
from hachaos.firewall.request import RuleRequest, RuleResponse
from hachaos.images.catalog import HASH_LABEL
from hachaos.node import Address, Attachment, ExecResult, ImageFacts, NodeRef, RuntimeFacts

BACKEND = "docker"  # the registry name, in every NodeRef a Docker node gives


class DockerNode:
    """One container of run `run_id` on the run's network; every call goes to the engine,
    nothing is cached but addresses."""

    def __init__(
        self,
        api: docker.APIClient,
        container_id: str,
        name: str,
        role: str,
        run_id: str,
    ):
        self._api = api
        self.container_id = container_id
        self.name = name
        self.role = role
        self._run_id = run_id
        self._network = labels.network_name(run_id)
        self._addr: Address | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"DockerNode({self.name!r}, role={self.role!r})"

    def _inspect(self) -> dict[str, Any]:
        info: dict[str, Any] = self._api.inspect_container(self.container_id)
        return info

    def address(self) -> Address:
        """In-network hostname/IP and where the runner reaches each declared port: a port
        published on 127.0.0.1, or the node's IP directly (see `reach`)."""
        with self._lock:
            if self._addr is None or not self._addr.published:
                info = self._inspect()
                net = info["NetworkSettings"]["Networks"].get(self._network) or {}
                ip = net.get("IPAddress") or None
                self._addr = Address(
                    hostname=self.name, ip=ip, published=reach.runner_ports(info, ip)
                )
            return self._addr

    def _forget_address(self) -> None:
        with self._lock:
            self._addr = None

    def state(self) -> dict[str, Any]:
        """Docker's State object for the container."""
        state: dict[str, Any] = self._inspect()["State"]
        return state

    def image(self) -> ImageFacts:
        """The container's image and the content hash label it inherited from that image."""
        config = self._inspect()["Config"]
        labels = config.get("Labels") or {}
        return ImageFacts(str(config.get("Image", "")), labels.get(HASH_LABEL))

    def _flag(self, key: str) -> bool:
        try:
            return bool(self.state()[key])
        except NotFound:
            return False  # a removed container neither runs nor is paused

    def is_running(self) -> bool:
        """True while the container runs (paused counts); False once it is gone."""
        return self._flag("Running")

    def is_paused(self) -> bool:
        """True while frozen by `docker pause`."""
        return self._flag("Paused")

    def ref(self) -> NodeRef:
        """The container id, for the journal: the reaper reaches the node by it."""
        return NodeRef(BACKEND, self.name, self.container_id)

    def testinfra_host(self) -> str:
        """`docker://<container id>`: testinfra's docker backend (`docker exec`)."""
        return f"docker://{self.container_id}"

    def container_runtime(self) -> RuntimeFacts:
        """The engine's version and storage driver, this container's ports published on the host,
        and whether the runner reaches it directly instead (then only pinned ports are
        published)."""
        version = str(self._api.version().get("Version", "?"))
        driver = str(self._api.info().get("Driver", "?"))
        info = self._inspect()
        direct = reach.reach_of(info) is reach.Reach.DIRECT
        how = f"boot the run with {reach.ENV}=published" if direct else None
        return RuntimeFacts("docker", version, driver, reach.host_bindings(info), direct_reach=how)

    def _call(self, what: str, fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            fn(self.container_id, *args, **kwargs)
        except NotFound:
            raise FaultError(f"{what} {self.name}: container is gone") from None
        except APIError as exc:
            raise FaultError(f"{what} {self.name}: {exc.explanation or exc}") from None

    def kill(self) -> None:
        """SIGKILL the container's main process."""
        self._call("kill", self._api.kill, signal="SIGKILL")

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM, then SIGKILL after `timeout_s`."""
        self._call("stop", self._api.stop, timeout=int(max(1, timeout_s)))

    def start(self) -> None:
        """Start the container again (its ephemeral host ports may change)."""
        self._forget_address()
        self._call("start", self._api.start)

    def pause(self) -> None:
        """Freeze the container with the cgroup freezer."""
        self._call("pause", self._api.pause)

    def resume(self) -> None:
        """Thaw a paused container."""
        self._call("unpause", self._api.unpause)

    def exec(self, cmd: Sequence[str], timeout_s: float = 30.0) -> ExecResult:
        """Run `cmd` inside the container and collect its output; killed after `timeout_s`.

        The engine API has no exec deadline, so the command runs under coreutils' `timeout`
        (present in every Debian-based image); exit code 137 then means it was killed.
        """
        wrapped = ["timeout", "-s", "KILL", f"{timeout_s:g}", *cmd]
        try:
            exec_id = self._api.exec_create(self.container_id, wrapped)["Id"]
            output = self._api.exec_start(exec_id)
            code = self._api.exec_inspect(exec_id)["ExitCode"]
        except (NotFound, APIError) as exc:
            return ExecResult(-1, f"exec failed: {getattr(exc, 'explanation', None) or exc}")
        text = output.decode(errors="replace") if isinstance(output, bytes) else str(output)
        return ExecResult(int(code if code is not None else -1), text)

    def logs(self, tail: int = 50) -> str:
        """The last `tail` lines of the container's stdout and stderr."""
        try:
            raw = self._api.logs(self.container_id, tail=tail)
        except (NotFound, APIError) as exc:
            return f"(no logs: {exc})"
        return raw.decode(errors="replace") if isinstance(raw, bytes) else str(raw)

    def follow_logs(self) -> LogWatch:
        """The container's output from its first line, as it arrives (close it when done)."""
        return LogWatch.follow(self._api, self.container_id, self.name)

    def apply_rules(self, request: RuleRequest) -> RuleResponse:
        """Carry out `request` in the container's namespace, through a helper container."""
        return DockerNetns(self._api, self._run_id).run(self.container_id, request)

    def attachment(self) -> Attachment | None:
        """The container's aliases and IP on the run network; None while detached or gone."""
        return network.attachment(self._api, self.container_id, self.name, self._network)

    def disconnect(self) -> None:
        """`docker network disconnect` from the run network."""
        network.disconnect(self._api, self.container_id, self.name, self._network)

    def reconnect(self, attachment: Attachment) -> bool:
        """Attach again under the same aliases; the cached address is dropped (the IP may
        change)."""
        done = network.reconnect(self._api, self.container_id, self.name, attachment)
        self._forget_address()
        return done
