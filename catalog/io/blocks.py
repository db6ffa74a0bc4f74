"""Read a CSV's blocks one step ahead, in a thread.

pyarrow's streaming CSV reader parses a block while holding no lock, so a thread that
parses the next block while the caller checks or converts the current one keeps the
second core busy. At most ``depth`` parsed blocks wait, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")
_DONE = object()


def read_ahead(source: Iterable[T], depth: int = 2) -> Iterator[T]:
    """The items of ``source``, produced by a thread up to ``depth`` items ahead; an error
    in the thread is raised here. Leaving the loop early stops the thread."""
    waiting: queue.Queue[object] = queue.Queue(depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                while not stop.is_set():
                    try:
                        waiting.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            waiting.put(_DONE)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer and raised there
            waiting.put(exc)

    thread = threading.Thread(target=produce, name="read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            item = waiting.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting to put, then let it finish
            with contextlib.suppress(queue.Empty):
                waiting.get(timeout=0.1)
        thread.join()
