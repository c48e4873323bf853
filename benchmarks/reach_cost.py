"""What published ports cost a run's teardown (figures only, no targets asserted).

    python benchmarks/reach_cost.py [--containers 21] [--ports 2] [--runs 3]

Per run and mode: `--containers` containers of hachaos/tools (`sleep infinity`) on one run
network, each with `--ports` container ports, published on 127.0.0.1 (ephemeral host ports,
what `HACHAOS_DOCKER_REACH=published` does) or not published at all (`direct`); all started,
then removed by the backend's own teardown (`hachaos down`'s reap: every container killed and
removed at once, then the network). Modes alternate within each run so that a busy moment of
the machine hits both. Prints the teardown's median, min and max per mode, and the difference
per published port.
"""

from __future__ import annotations

import argparse
import statistics
from concurrent.futures import ThreadPoolExecutor

import docker

from hachaos.backends.docker import labels
from hachaos.backends.docker.engine import connect
from hachaos.backends.docker.provision import create_network
from hachaos.backends.docker.teardown import reap
from hachaos.runid import new_run_id

IMAGE = "hachaos/tools:latest"
FIRST_PORT = 10000


def boot(api: docker.APIClient, run_id: str, containers: int, ports: int, publish: bool) -> None:
    """Run `run_id`: `containers` sleeping containers on its network."""
    network = create_network(api, run_id, "reach-cost")
    declared = [FIRST_PORT + i for i in range(ports)]

    def one(i: int) -> None:
        node = f"n{i}"
        host_config = api.create_host_config(
            port_bindings={p: ("127.0.0.1",) for p in declared} if publish else {},
            network_mode=network,
        )
        created = api.create_container(
            IMAGE,
            ["sleep", "infinity"],
            name=labels.container_name(run_id, node),
            labels=labels.node_labels(run_id, "reach-cost", node, "app"),
            ports=declared,
            host_config=host_config,
        )
        api.start(created["Id"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(containers)))


def main() -> None:
    """Boot and tear down alternately with and without published ports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=21)
    parser.add_argument("--ports", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    api = connect()
    seconds: dict[str, list[float]] = {"published": [], "direct": []}
    for _ in range(args.runs):
        for mode, values in seconds.items():
            run_id = new_run_id()
            try:
                boot(api, run_id, args.containers, args.ports, publish=mode == "published")
            except BaseException:
                reap(api, run_id)  # nothing of a half-booted run is left behind
                raise
            values.append(reap(api, run_id).seconds)
    print(f"{args.containers} containers, {args.ports} declared ports each, {args.runs} runs")
    for mode, values in seconds.items():
        print(
            f"teardown {mode:9}  median {statistics.median(values):5.2f}s  min {min(values):5.2f}s"
            f"  max {max(values):5.2f}s  ({', '.join(f'{v:.2f}' for v in values)})"
        )
    ports = args.containers * args.ports
    if ports:
        extra = statistics.median(seconds["published"]) - statistics.median(seconds["direct"])
        print(f"per published port: {extra / ports * 1000:.0f} ms ({ports} ports)")


if __name__ == "__main__":
    main()
