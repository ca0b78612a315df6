"""``StreamPump``: a blocking, callback- or socket-driven stream turned into the Backend iterator.

The server backends (xllamacpp's in-process server, an OpenAI-compatible server over HTTP)
block in a call while tokens arrive. The pump runs that call in a thread and hands the
pieces to the Engine through a queue, yielding ``("", None)`` heartbeats while nothing
arrives so the Engine sees Stop at once. ``close()`` cancels: the producer is told through
``cancelled()`` (xllamacpp: the stream callback returns True; HTTP: the response is closed),
and the pump waits briefly for the call to return so the server's slot is free again.
"""

from __future__ import annotations

import queue
import threading
from typing import Callable, Iterator

Emit = Callable[[str, "str | None"], bool]  # (text, finish) -> True if the consumer is gone
_DONE = object()


class StreamPump:
    """Iterate over ``(text, finish)`` produced by ``run(emit)`` in a worker thread.

    ``run`` calls ``emit(text, finish)`` for each piece and should return soon after emit
    returns True (cancelled). Exceptions raised by ``run`` are re-raised by the iterator.
    ``on_cancel`` (optional) is called once by ``close()`` to unblock ``run`` (close a socket).
    """

    def __init__(
        self,
        run: Callable[[Emit], None],
        *,
        heartbeat_s: float = 0.1,
        join_s: float = 10.0,
        on_cancel: Callable[[], None] | None = None,
        name: str = "stream-pump",
    ) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._cancel = threading.Event()
        self._on_cancel = on_cancel
        self._heartbeat_s = heartbeat_s
        self._join_s = join_s
        self._finished = False
        self._thread = threading.Thread(target=self._work, args=(run,), name=name, daemon=True)
        self._thread.start()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _emit(self, text: str, finish: str | None) -> bool:
        if not self._cancel.is_set():
            self._queue.put((text, finish))
        return self._cancel.is_set()

    def _work(self, run: Callable[[Emit], None]) -> None:
        try:
            run(self._emit)
        except BaseException as exc:  # handed to the consumer, raised there
            self._queue.put(exc)
        finally:
            self._queue.put(_DONE)

    def __iter__(self) -> Iterator[tuple[str, str | None]]:
        return self

    def __next__(self) -> tuple[str, str | None]:
        if self._finished:
            raise StopIteration
        try:
            item = self._queue.get(timeout=self._heartbeat_s)
        except queue.Empty:
            return "", None  # heartbeat: nothing yet, the consumer may check its stop signal
        if item is _DONE:
            self._finished = True
            raise StopIteration
        if isinstance(item, BaseException):
            self._finished = True
            raise item
        return item

    def close(self) -> None:
        """Cancel the request (if still running) and wait up to ``join_s`` for it to end."""
        self._finished = True
        if not self._thread.is_alive():
            return
        self._cancel.set()
        if self._on_cancel is not None:
            try:
                self._on_cancel()
            except Exception:  # best effort: the thread also checks cancelled()
                pass
        self._thread.join(self._join_s)


__all__ = ["Emit", "StreamPump"]
