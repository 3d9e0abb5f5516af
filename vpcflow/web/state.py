"""What the server holds while it runs: the store, a cache of answers, and the review log.

Opened read-only, DuckDB locks the file against writers, so the data cannot change under the server. When the
store is held (this process follows sources, or another process holds it) records keep arriving: answers are
cached per version of the ledger, and the range's bounds are read again when it moves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import duckdb

from ..report.findings import ReviewLog
from ..report.overview import Window, bounds
from ..store.store import Store
from .query import BYTE_LIMIT, ROW_LIMIT, TIME_LIMIT


class Memo:
    """A bounded LRU cache where concurrent callers asking for the same key wait for one computation."""

    def __init__(self, size: int = 256):
        self.size = size
        self._values: OrderedDict = OrderedDict()
        self._pending: dict[Any, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key, compute: Callable[[], Any]):
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            value = compute()
            with self._lock:
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
                self._pending.pop(key, None)
            return value


class Dashboard:
    def __init__(self, db_path: str, *, row_limit: int = ROW_LIMIT, time_limit: float = TIME_LIMIT,
                 byte_limit: int = BYTE_LIMIT, topology=None, reader: Callable[[], AbstractContextManager] | None = None, live=None):
        self.db_path = str(db_path)
        self.topology = topology  # for diagnoses: which rule rejected, and the fix
        self.reader, self.live = reader, live  # the holder's snapshot cursors, and what it follows
        self.store = None if reader is not None else Store(self.db_path, read_only=True)
        self.changing = reader is not None or self.store.remote
        self.version = None
        # The query page must not reach files or extensions beyond the store: lock that off for good. (Another
        # dashboard in this process on the same file shares DuckDB's instance, already locked.) A held store
        # reads files for ingest; there the query page's own check (query.py) keeps to the store's tables.
        if not self.changing and \
                self.store.con.execute("SELECT current_setting('enable_external_access')").fetchall()[0][0]:
            self.store.con.execute("SET enable_external_access = false")
            self.store.con.execute("SET lock_configuration = true")
        self.row_limit = row_limit
        self.time_limit = time_limit
        self.byte_limit = byte_limit
        self.memo = Memo()
        self.review = ReviewLog(self.db_path)
        with self.cursor() as con:
            self.bounds = bounds(con)
            self.version = self._version(con)

    def _version(self, con) -> tuple:
        """Moves whenever a source is taken in (or, in the holder, findings are refreshed)."""
        row = con.execute("SELECT count(*), max(source_id) FROM sources").fetchall()[0]
        return (*row, self.live.changed if self.live is not None else 0)

    def refresh(self) -> tuple:
        """The data's version now; the bounds follow it. A store nobody writes to is read once."""
        if self.changing:
            with self.cursor() as con:
                version = self._version(con)
                if version != self.version:
                    self.bounds, self.version = bounds(con), version
        return self.version

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of the request's own (DuckDB connections are not shared across threads)."""
        if self.reader is not None:
            with self.reader() as cur:
                yield cur
            return
        cur = self.store.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @property
    def latest(self) -> datetime | None:
        last = self.bounds["last"]
        return None if last is None else datetime.fromtimestamp(last, UTC)

    def window(self, since: str | None, until: str | None) -> Window:
        self.refresh()
        return Window.parse(since, until, self.latest)

    def cached(self, name: str, window: Window, compute: Callable[[duckdb.DuckDBPyConnection], Any], *extra):
        def run():
            with self.cursor() as con:
                return compute(con)
        return self.memo.get((name, window, self.version, *extra), run)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
