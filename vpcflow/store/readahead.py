"""Reading ahead in a thread: the next batches (and the next source's first ones) are decompressed and
parsed while DuckDB stores the current ones, so the two cores both work."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator

from ..fields import LogFormat
from ..parse.chunks import LineReader
from ..parse.typed import BlockDecoder
from ..sources.base import Source


class ReadAhead:
    """Iterate `items` in a thread, `depth` items ahead, passing its errors through to the consumer."""

    def __init__(self, items: Iterable, depth: int = 2, name: str = "vpcflow-reader"):
        self.q: queue.Queue = queue.Queue(maxsize=depth)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(items,), name=name, daemon=True)
        self.thread.start()

    def _run(self, items: Iterable) -> None:
        try:
            for item in items:
                if not self._put(item):
                    return
            self._put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            self._put(exc)

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.q.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Iterator:
        try:
            while True:
                item = self.q.get()
                if item is _END:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            self.close()

    def close(self) -> None:
        """Stop the thread (it may be blocked on a full queue) and drop what it read."""
        self.stop.set()


_END = object()


class SourceRead(ReadAhead):
    """One text source opened, decoded and parsed in a thread; `decoder` tells its layout as it goes.
    Opening happens in the thread too, so its errors surface where the source is consumed."""

    def __init__(self, src: Source, given: LogFormat | None, **reader_options):
        self.decoder = BlockDecoder(None, given, src.identity)
        super().__init__(self._decode(src, reader_options), name=f"vpcflow-read {src.identity[-40:]}")

    def _decode(self, src: Source, reader_options: dict) -> Iterator:
        self.decoder.reader = LineReader(src.opener(), src.identity, **reader_options)
        yield from self.decoder
