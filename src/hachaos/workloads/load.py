"""HTTP load with locust used as a library: no separate process, no global monkey-patching.

Locust patches the whole interpreter with gevent when imported, which would turn every thread
of the runner (probes, ledgers, Docker calls) into greenlets. We import it with
`LOCUST_SKIP_MONKEY_PATCH=1` and run its `LocalRunner` in a gevent hub on one dedicated thread,
with `FastHttpUser` (geventhttpclient is cooperative without patching). Every request locust
reports through its `request` event becomes an Op in the History, timed on the history clock.
Stopping is signalled into the hub with a thread-safe async watcher.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType
from typing import TYPE_CHECKING, Any

from hachaos.errors import HachaosError
from hachaos.history import History, Op, Outcome

if TYPE_CHECKING:
    from locust import User

LOAD_PROCESS = "load"
_NOT_SENT = (ConnectionRefusedError,)


def _locust() -> Any:
    """Import locust without letting it monkey-patch the interpreter. Call it on the main
    thread first: `locust.stats` installs a signal handler when imported."""
    os.environ.setdefault("LOCUST_SKIP_MONKEY_PATCH", "1")
    import locust
    import locust.env

    return locust


def classify(exception: BaseException | None, status: int) -> Outcome:
    """ok without an error; fail for an HTTP error status or a refused connection; unknown when
    the request may have reached the server but no answer came back."""
    if exception is None:
        return Outcome.OK
    if status >= 400 or isinstance(exception, _NOT_SENT):
        return Outcome.FAIL
    return Outcome.UNKNOWN


class HttpLoad:
    """`users` concurrent users GETting `path` on `base_url`, each pausing `wait_s` between
    requests, for the duration of a `with` block."""

    def __init__(
        self,
        history: History,
        base_url: str,
        path: str = "/",
        *,
        users: int = 5,
        wait_s: float = 0.05,
        timeout_s: float = 2.0,
    ) -> None:
        if users < 1:
            raise HachaosError(f"HTTP load needs at least one user, got {users}")
        self._history = history
        self._base_url = base_url
        self._path = path
        self._users = users
        self._wait_s = wait_s
        self._timeout_s = timeout_s
        self._ready = threading.Event()
        self._wake: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="http-load", daemon=True)
        self._user: type[User] | None = None

    def _user_class(self) -> type[User]:
        _locust()
        from locust import FastHttpUser, constant, task

        path, timeout = self._path, self._timeout_s

        class LoadUser(FastHttpUser):
            host = self._base_url
            wait_time = constant(self._wait_s)
            network_timeout = timeout
            connection_timeout = timeout

            @task
            def get(self) -> None:
                self.client.get(path)

        return LoadUser

    def _on_request(
        self,
        response_time: float,
        exception: BaseException | None = None,
        response: Any = None,
        **_: Any,
    ) -> None:
        end_ns = time.monotonic_ns()
        status = int(getattr(response, "status_code", 0) or 0)
        error = None if exception is None else type(exception).__name__
        self._history.add_op(
            Op(
                LOAD_PROCESS,
                "read",
                end_ns - int(response_time * 1e6),
                end_ns,
                classify(exception, status),
                error=error,
                value=str(status) if status else None,
            )
        )

    def _serve(self) -> None:
        try:
            import gevent
            from locust.env import Environment

            if self._user is None:
                raise HachaosError("HTTP load: start() builds the user class first")
            env = Environment(user_classes=[self._user], host=self._base_url)
            env.events.request.add_listener(self._on_request)
            runner = env.create_local_runner()
            self._wake = gevent.get_hub().loop.async_()
            self._wake.start(lambda: gevent.spawn(runner.quit))
            runner.start(self._users, spawn_rate=self._users)
        except BaseException as exc:
            self._error = exc
            return
        finally:
            self._ready.set()
        runner.greenlet.join()
        self._wake.close()

    def start(self) -> HttpLoad:
        """Start the users; raises if locust could not start."""
        try:
            self._user = self._user_class()  # imports locust here, on the caller's thread
        except ValueError as exc:
            raise HachaosError(
                f"HTTP load: import locust on the main thread first ({exc})"
            ) from None
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise HachaosError(f"HTTP load did not start: {self._error}")
        return self

    def stop(self) -> None:
        """Stop every user and wait for the load thread to end."""
        if self._wake is not None and self._thread.is_alive():
            self._wake.send()
        self._thread.join(timeout=30)

    def __enter__(self) -> HttpLoad:
        return self.start()

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
