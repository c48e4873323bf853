"""The locust process of an HTTP load: `python -m hachaos.workloads.locust_child`.

Locust patches the standard library with gevent when imported (sockets, threads, time), so it
runs here, in a process of its own, never in the runner: the runner's probes, ledgers and
Docker calls keep real threads and sockets. The configuration comes as one JSON document on
stdin; every request locust reports is one JSON line on stdout, timed with the system-wide
monotonic clock the runner's history uses: `{"s": start_ns, "e": end_ns, "m": method,
"p": path, "st": status, "err": error class or null}`. It stops when stdin closes or on SIGTERM.
"""

from __future__ import annotations

import json
import random
import ssl
import sys
import time
from typing import Any


def _verifying_as(server_name: str, cafile: str | None) -> ssl.SSLContext:
    """A context that verifies every server as `server_name` (SNI and hostname check), whatever
    address the URL dials: the run's certificate names the node, not its network address."""

    class Named(ssl.SSLContext):  # gevent's class by now: locust has patched the stdlib
        def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
            kwargs["server_hostname"] = server_name
            return super().wrap_socket(sock, *args, **kwargs)

    context = Named(ssl.PROTOCOL_TLS_CLIENT)
    context.load_verify_locations(cafile=cafile)
    return context


def _user_class(config: dict[str, Any]) -> type[Any]:
    from locust import constant, task
    from locust.contrib.fasthttp import FastHttpUser

    timeout = float(config["timeout_s"])
    cafile = config.get("cafile")
    requests = [(r["method"], r["path"], r.get("body")) for r in config["requests"]]
    weights = [int(r.get("weight", 1)) for r in config["requests"]]

    server_name = config.get("server_name")

    def context() -> ssl.SSLContext:
        return (
            _verifying_as(server_name, cafile)
            if server_name
            else ssl.create_default_context(cafile=cafile)
        )

    class LoadUser(FastHttpUser):
        host = config["base_url"]
        wait_time = constant(float(config["wait_s"]))
        network_timeout = timeout
        connection_timeout = timeout
        insecure = cafile is None
        # a plain function here would become a bound method of the user
        ssl_context_factory = staticmethod(context) if cafile else None

        @task
        def one(self) -> None:
            method, path, body = random.choices(requests, weights)[0]
            self.client.request(method, path, json=body, name=f"{method} {path}")

    return LoadUser


def _emit(
    request_type: str,
    name: str,
    response_time: float,
    exception: BaseException | None = None,
    response: Any = None,
    **_: Any,
) -> None:
    end = time.monotonic_ns()
    status = int(getattr(response, "status_code", 0) or 0)
    line = {
        "s": end - int(response_time * 1e6),
        "e": end,
        "m": request_type,
        "p": name.split(" ", 1)[-1],
        "st": status,
        "err": None if exception is None else type(exception).__name__,
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def main() -> None:
    """Run the load described on stdin until stdin closes."""
    import gevent
    from locust.env import Environment

    config = json.loads(sys.stdin.readline())
    env = Environment(user_classes=[_user_class(config)], host=config["base_url"])
    env.events.request.add_listener(_emit)
    runner = env.create_local_runner()
    runner.start(int(config["users"]), spawn_rate=float(config["spawn_rate"]))
    sys.stdout.write(json.dumps({"started": True}) + "\n")
    sys.stdout.flush()
    gevent.get_hub().threadpool.spawn(sys.stdin.read).get()  # blocks until stdin closes
    runner.quit()


if __name__ == "__main__":
    main()
