"""Fetch in parallel, hand over in order (or piece by piece as they come): a bounded window of downloads
running ahead of the consumer."""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TypeVar

import botocore.exceptions
import urllib3.exceptions

T = TypeVar("T")
R = TypeVar("R")

# Errors of a response body cut short: botocore retries the request, not the reading of its body.
BODY_ERRORS = (
    botocore.exceptions.ResponseStreamingError,
    botocore.exceptions.IncompleteReadError,
    botocore.exceptions.ReadTimeoutError,
    botocore.exceptions.ConnectionClosedError,
    botocore.exceptions.EndpointConnectionError,
    urllib3.exceptions.ProtocolError,
    urllib3.exceptions.ReadTimeoutError,
    ConnectionError,
)


def retry_body(fetch: Callable[[], R], attempts: int = 6, base_delay: float = 0.05) -> R:
    """Run `fetch` again when the connection drops mid-body; other errors pass through."""
    for attempt in range(attempts):
        try:
            return fetch()
        except BODY_ERRORS:
            if attempt == attempts - 1:
                raise
            time.sleep(base_delay * (2**attempt))
    raise AssertionError("unreachable")


def ordered_map(
    fetch: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int = 16,
    window: int = 32,
    cost: Callable[[T], int] | None = None,
    budget: int = 0,
) -> Iterator[tuple[T, R]]:
    """(item, fetch(item)) in the order of `items`, with up to `window` fetches in flight or waiting.

    With `cost` (an item's bytes) and `budget`, fetches also stop running ahead once the items waiting cost
    that much (one always runs): a wide window keeps downloads going while the consumer is busy, the budget
    keeps a run of large objects from filling memory.
    """
    pending: deque[tuple[T, Future, int]] = deque()
    held = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vpcflow-fetch") as pool:
        try:
            for item in items:
                weight = cost(item) if cost is not None else 0
                while pending and (len(pending) >= window or (budget and held + weight > budget)):
                    head, fut, w = pending.popleft()
                    held -= w
                    yield head, fut.result()
                pending.append((item, pool.submit(fetch, item), weight))
                held += weight
            while pending:
                head, fut, _ = pending.popleft()
                yield head, fut.result()
        finally:
            for _, fut, _ in pending:
                fut.cancel()


def as_emitted(
    read: Callable[[T, Callable[[R], None], threading.Event], object],
    items: Iterable[T],
    *,
    workers: int = 8,
    queued: int = 16,
) -> Iterator[R]:
    """What `read(item, emit, stop)` emits, for every item, read `workers` at a time, handed over as it
    comes: one long read (a stream paged call after call) holds back no other, and is handed over piece by
    piece. At most `queued` pieces wait; a reader that finds no room waits too. The first error raised by a
    read is raised here, and the other reads stop at their next `stop` check."""
    waiting: queue.Queue = queue.Queue(maxsize=queued)
    stop = threading.Event()

    def emit(piece) -> None:
        while not stop.is_set():
            try:
                waiting.put(piece, timeout=0.2)
                return
            except queue.Full:
                continue

    def run(item) -> None:
        try:
            read(item, emit, stop)
        except BaseException as exc:  # handed to the consumer, which raises it
            emit(_Failed(exc))
        finally:
            emit(_DONE)

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vpcflow-fetch") as pool:
        left = len([pool.submit(run, item) for item in items])
        try:
            while left:
                piece = waiting.get()
                if piece is _DONE:
                    left -= 1
                elif isinstance(piece, _Failed):
                    raise piece.error
                else:
                    yield piece
        finally:
            stop.set()
            pool.shutdown(wait=False, cancel_futures=True)


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_DONE = object()
