"""Reading ahead: a thread keeps a database busy while Python works."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def prefetched(
    items: Iterable[T], depth: int = 8, *, name: str = "prefetch", on_abandon: Callable[[], None] | None = None
) -> Iterator[T]:
    """Iterate over ``items`` from a thread of its own, up to ``depth`` items ahead.

    While the caller works on one item (NumPy formatting a batch, say), the
    thread already waits for the next one, so the server producing them
    does not idle until asked. An exception raised by ``items`` reaches the
    caller. If the caller stops early (``close()``, or leaving a ``for``
    loop), ``on_abandon`` runs first (e.g. cancelling a query the thread is
    blocked on), then the thread stops and is joined; ``items`` is closed in
    the thread that iterated it.
    """
    ahead: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    return
            offer(_DONE)
        except BaseException as exc:  # handed to the consumer, raised there
            offer(exc)
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name=name, daemon=True)
    thread.start()
    finished = False
    try:
        while True:
            item = ahead.get()
            if item is _DONE:
                finished = True
                return
            if isinstance(item, BaseException):
                finished = True
                raise item
            yield item
    finally:
        stop.set()
        if not finished and on_abandon is not None:
            on_abandon()
        thread.join()
