"""Reading ahead in a thread: the next batches (and the next source's first ones) are decompressed and
parsed while DuckDB stores the current ones, so the two cores both work."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator

from ..fields import LogFormat
from ..parse.chunks import LineReader
from ..parse.typed import BlockDecoder
from ..sources.base import Source
from .checks import Checker

STOP_WAIT = 5.0  # seconds a stopped thread may take to finish the block it is decoding (or a download)


class ReadAhead:
    """Iterate `items` in a thread, up to `depth` items ahead, passing its errors through to the consumer.

    With `weight` (an item's bytes) and `budget`, the thread also stops once the items waiting weigh that much
    (one always may wait): many small items can run far ahead while a large one cannot fill memory."""

    def __init__(self, items: Iterable, depth: int = 2, name: str = "vpcflow-reader",
                 weight: Callable[[object], int] | None = None, budget: int = 0):
        self.waiting: deque[tuple[object, int]] = deque()
        self.held = 0  # weight of the items waiting
        self.depth, self.weight, self.budget = depth, weight, budget
        self.ready = threading.Condition()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(items,), name=name, daemon=True)
        self.thread.start()

    def _run(self, items: Iterable) -> None:
        try:
            for item in items:
                if not self._put(item, self.weight(item) if self.weight else 0):
                    return
            self._put(_END, 0)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc, 0)
        finally:  # stopped early: a generator's own cleanup (its threads, its cursor) runs here, now
            close = getattr(items, "close", None)
            if close is not None:
                close()

    def _full(self, weight: int) -> bool:
        return bool(self.waiting) and (len(self.waiting) >= self.depth
                                       or (self.budget > 0 and self.held + weight > self.budget))

    def _put(self, item, weight: int) -> bool:
        with self.ready:
            while self._full(weight) and not self.stop.is_set():
                self.ready.wait(0.2)
            if self.stop.is_set():
                return False
            self.waiting.append((item, weight))
            self.held += weight
            self.ready.notify_all()
        return True

    def _get(self):
        with self.ready:
            while not self.waiting:
                self.ready.wait()
            item = self._take()
            self.ready.notify_all()
        return item

    def _take(self):
        item, weight = self.waiting.popleft()
        self.held -= weight
        return item

    def __iter__(self) -> Iterator:
        try:
            while True:
                item = self._get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def batches(self, most: int) -> Iterator[list]:
        """The items in lists of up to `most`: each waits for one item, then takes those already waiting, so
        a consumer that works per batch never waits for a batch to fill while items trickle in."""
        try:
            while True:
                batch = [self._get()]
                with self.ready:
                    while len(batch) < most and self.waiting and batch[-1] is not _END:
                        batch.append(self._take())
                    self.ready.notify_all()
                ended = batch[-1] is _END or isinstance(batch[-1], BaseException)
                items = batch[:-1] if ended else batch
                if items:
                    yield items
                if isinstance(batch[-1], BaseException):
                    raise batch[-1]
                if ended:
                    return
        finally:
            self.close()

    def close(self, wait: float = STOP_WAIT) -> None:
        """Stop the thread (it may be waiting for room), drop what it read, and wait for it to end: a thread
        still inside DuckDB or Arrow when the interpreter exits (after Ctrl-C) aborts the process."""
        self.stop.set()
        with self.ready:
            self.waiting.clear()
            self.held = 0
            self.ready.notify_all()
        if threading.current_thread() is not self.thread:
            self.thread.join(wait)


_END = object()


class SourceRead(ReadAhead):
    """One text source opened, decoded and parsed in a thread; `decoder` tells its layout as it goes.
    Opening happens in the thread too, so its errors surface where the source is consumed."""

    def __init__(self, src: Source, given: LogFormat | None, threads: bool = False, **reader_options):
        self.decoder = BlockDecoder(None, given, src.identity, threads=threads)
        super().__init__(self._decode(src, reader_options), name=f"vpcflow-read {src.identity[-40:]}")

    def _decode(self, src: Source, reader_options: dict) -> Iterator:
        self.decoder.check = Checker()
        try:
            self.decoder.reader = LineReader(src.opener(), src.identity, first_line=src.first_line, **reader_options)
            # decompressed in a thread of its own: parsing and checking a block take this one as long again
            self.decoder.blocks = ReadAhead(self.decoder.reader.blocks(), depth=1,
                                            name=f"vpcflow-inflate {src.identity[-40:]}")
            yield from self.decoder
        finally:
            if self.decoder.blocks is not None:
                self.decoder.blocks.close()
            self.decoder.check.close()
