"""A booting node's output as it arrives: one `docker logs --follow` stream, read in a thread,
so a log readiness check searches what the node printed without asking the engine each round
(re-reading the last lines of a chatty node every round cost the engine CPU the boot needed)."""

from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import suppress
from typing import Protocol

import docker

MAX_KEPT = 1 << 20  # characters of output kept (the newest): a boot's log is far smaller


class Stream(Protocol):
    """What `docker logs --follow` returns: chunks of output until closed."""

    def __iter__(self) -> Iterator[bytes]: ...

    def close(self) -> None:
        """End the stream (from another thread)."""
        ...


class LogWatch:
    """Follows one container's stdout and stderr from its start until closed."""

    def __init__(self, open_stream: Callable[[], Stream], name: str) -> None:
        self._open = open_stream
        self._name = name
        self._text = ""
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._stream, self._thread = self._start()

    @classmethod
    def follow(cls, api: docker.APIClient, container_id: str, name: str) -> LogWatch:
        """Watch a started container's output, from its first line."""
        return cls(lambda: api.logs(container_id, stream=True, follow=True), name)

    def _start(self) -> tuple[Stream, threading.Thread]:
        stream = self._open()
        thread = threading.Thread(
            target=self._read, args=(stream,), name=f"logs-{self._name}", daemon=True
        )
        thread.start()
        return stream, thread

    def _read(self, stream: Stream) -> None:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        with suppress(Exception):  # closed, or the container is gone: what was read stays
            for chunk in stream:
                text = decoder.decode(chunk)
                with self._lock:
                    self._text = (self._text + text)[-MAX_KEPT:]

    def search(self, pattern: str) -> bool:
        """True once the output so far matches `pattern` (multiline)."""
        if not self._thread.is_alive() and not self._closed.is_set():
            # the stream ended by itself (the client's read timeout after a long silence):
            # follow again from the first line
            with self._lock:
                self._text = ""
            self._stream, self._thread = self._start()
        with self._lock:
            text = self._text
        return re.search(pattern, text, re.MULTILINE) is not None

    def close(self) -> None:
        """Stop following; the reading thread ends with the stream."""
        self._closed.set()
        with suppress(Exception):
            self._stream.close()
        self._thread.join(timeout=1.0)
