"""Fetch in parallel, hand over in order (or as each is done): a bounded window of downloads running ahead of
the consumer."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
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


def done_first(
    fetch: Callable[[T], R], items: Iterable[T], *, workers: int = 16, window: int = 32
) -> Iterator[tuple[T, R]]:
    """(item, fetch(item)) as each fetch finishes, with up to `window` in flight: one slow fetch (a long
    stream paged call after call) does not hold back the ones listed after it."""
    running: dict[Future, T] = {}
    it = iter(items)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vpcflow-fetch") as pool:
        try:
            while True:
                while len(running) < window and (item := next(it, _NONE)) is not _NONE:
                    running[pool.submit(fetch, item)] = item
                if not running:
                    return
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in finished:
                    yield running.pop(fut), fut.result()
        finally:
            for fut in running:
                fut.cancel()


_NONE = object()
