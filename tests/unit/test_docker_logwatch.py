"""A followed log: chunks joined as they arrive (split lines and characters too), searchable."""

from __future__ import annotations

import queue
from collections.abc import Iterator

from hachaos.backends.docker.logwatch import MAX_KEPT, LogWatch
from hachaos.clock import wait_until

END = b""


class FakeStream:
    """Chunks the test sends, until closed."""

    def __init__(self) -> None:
        self.chunks: queue.Queue[bytes] = queue.Queue()

    def __iter__(self) -> Iterator[bytes]:
        while (chunk := self.chunks.get()) != END:
            yield chunk

    def close(self) -> None:
        self.chunks.put(END)


def sent(watch: LogWatch, stream: FakeStream, chunk: bytes, pattern: str) -> bool:
    stream.chunks.put(chunk)
    return wait_until(lambda: watch.search(pattern), bool, what=pattern, timeout_s=5)


def test_a_line_split_across_chunks_is_found_once_complete() -> None:
    stream = FakeStream()
    watch = LogWatch(lambda: stream, "rabbit-1")
    try:
        stream.chunks.put(b"booting\nServer startup com")
        assert sent(watch, stream, "plete ✓\n".encode()[:7], "^Server startup complete ")
        assert not watch.search("✓")
        assert sent(watch, stream, "plete ✓\n".encode()[7:], "complete ✓")
    finally:
        watch.close()


def test_only_the_newest_output_is_kept() -> None:
    stream = FakeStream()
    watch = LogWatch(lambda: stream, "chatty")
    try:
        stream.chunks.put(b"first line\n")
        assert sent(watch, stream, b"x" * MAX_KEPT + b"\nlast line\n", "last line")
        assert not watch.search("first line")
    finally:
        watch.close()


def test_close_ends_the_reader_and_keeps_what_was_read() -> None:
    stream = FakeStream()
    watch = LogWatch(lambda: stream, "n")
    assert sent(watch, stream, b"ready\n", "ready")
    watch.close()
    assert not watch._thread.is_alive()
    assert watch.search("ready")


def test_a_stream_that_ends_by_itself_is_followed_again_from_the_start() -> None:
    streams = [FakeStream(), FakeStream()]
    for stream in streams:
        stream.chunks.put(b"booting\n")
    opened = iter(streams)
    watch = LogWatch(lambda: next(opened), "quiet")
    try:
        streams[0].close()  # the engine ended it (a read timeout), not the watch
        watch._thread.join(timeout=5)
        assert not watch.search("ready")  # and a second stream is followed
        assert sent(watch, streams[1], b"ready\n", "^booting\nready$")
    finally:
        watch.close()
