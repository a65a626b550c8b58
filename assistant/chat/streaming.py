"""Streaming that Ctrl-C can always stop at once.

Python only raises KeyboardInterrupt between bytecodes: while llama.cpp evaluates a prompt
(seconds on 2 busy cores) or a socket waits for a slow server, the main thread would not
notice Ctrl-C until that call returns. So the model is read in a worker thread and the main
thread waits on a queue, which a signal interrupts at once. The worker is then told to stop
at its next chunk, closes the stream (releasing the model), and ends on its own.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

_DONE = object()


class Stream:
    def __init__(self, chunks: Iterator[str]) -> None:
        self._chunks = chunks
        self._queue: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, daemon=True)

    def _produce(self) -> None:
        try:
            for chunk in self._chunks:
                if self._stop.is_set():
                    break
                self._queue.put(chunk)
        except BaseException as e:  # handed to the main thread, which raises it
            self._queue.put(e)
        finally:
            close = getattr(self._chunks, "close", None)
            if close is not None:
                close()
            self._queue.put(_DONE)

    def __iter__(self) -> Iterator[str]:
        self._thread.start()
        try:
            while (item := self._queue.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self._stop.set()  # on Ctrl-C (or an error) the worker stops at its next chunk

    def join(self, timeout: float | None = None) -> None:
        """Wait for an abandoned worker (before exit, so the model is not torn down under it)."""
        if self._thread.is_alive():
            self._thread.join(timeout)
