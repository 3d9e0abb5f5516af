"""What the server holds while it runs: the read-only store, a cache of answers, and the review log.

The store is opened read-only and DuckDB locks the file against writers in other processes, so the data cannot
change under the server: an answer computed once for a time range stays right, and is cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import duckdb

from ..report.findings import ReviewLog
from ..report.overview import Window, bounds
from ..store.store import Store
from .query import ROW_LIMIT, TIME_LIMIT


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
                 topology=None):
        self.db_path = str(db_path)
        self.topology = topology  # for diagnoses: which rule rejected, and the fix
        self.store = Store(self.db_path, read_only=True)
        # The query page must not reach files or extensions beyond the store: lock that off for good. (Another
        # dashboard in this process on the same file shares DuckDB's instance, already locked.)
        if self.store.con.execute("SELECT current_setting('enable_external_access')").fetchall()[0][0]:
            self.store.con.execute("SET enable_external_access = false")
            self.store.con.execute("SET lock_configuration = true")
        self.row_limit = row_limit
        self.time_limit = time_limit
        self.memo = Memo()
        self.review = ReviewLog(self.db_path)
        with self.cursor() as con:
            self.bounds = bounds(con)

    @contextmanager
    def cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection of the request's own (DuckDB connections are not shared across threads)."""
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
        return Window.parse(since, until, self.latest)

    def cached(self, name: str, window: Window, compute: Callable[[duckdb.DuckDBPyConnection], Any], *extra):
        def run():
            with self.cursor() as con:
                return compute(con)
        return self.memo.get((name, window, *extra), run)

    def close(self) -> None:
        self.store.close()
