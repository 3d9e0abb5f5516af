"""The value checks of a typed block, run where the block is parsed: in the reader thread, so the thread that
stores the block before never waits for them. The fields are checked in Arrow's kernels (vpcflow.parse.values);
DuckDB, on a cursor of the reader's own, casts a leading timestamp as the staging SQL does."""

from __future__ import annotations

import threading
from collections.abc import Callable

import duckdb
import pyarrow as pa

from ..fields import LogFormat
from ..parse.transform import event_time_check_sql, typed_check_sql
from ..parse.values import values_pass

_lock = threading.Lock()
_memory: list[duckdb.DuckDBPyConnection] = []  # one in-memory database for every reader's checks (a connect costs ~60 ms)


def passes_checks(con: duckdb.DuckDBPyConnection, fmt: LogFormat, stamped: bool, batch: pa.Table) -> bool:
    """True when every row of a typed `batch` is a record the staging SQL would pass as it is."""
    return _passes(lambda: con, fmt, stamped, batch)


def _passes(cursor: Callable[[], duckdb.DuckDBPyConnection], fmt: LogFormat, stamped: bool, batch: pa.Table) -> bool:
    fields = values_pass(fmt, batch)  # about a quarter of the CPU of the same checks as SQL
    if fields is None:  # a column typed otherwise than the parser types it
        return not cursor().execute(typed_check_sql(fmt, stamped)).fetchall()[0][0]  # reads `batch` from this frame
    return fields and (not stamped or not cursor().execute(event_time_check_sql()).fetchall()[0][0])


class Checker:
    """passes_checks for one reader thread, on a cursor of its own once one is needed; close() when it is done."""

    def __init__(self):
        self.cursor: duckdb.DuckDBPyConnection | None = None

    def __call__(self, fmt: LogFormat, stamped: bool, batch: pa.Table) -> bool:
        return _passes(self._cursor, fmt, stamped, batch)

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        if self.cursor is None:
            with _lock:
                if not _memory:
                    # one thread: the reader threads are the parallelism, and each DuckDB worker would trim the
                    # whole process's free memory after its tasks (malloc_trim), so the next blocks fault it back in
                    _memory.append(duckdb.connect(config={"threads": 1}))
                self.cursor = _memory[0].cursor()
        return self.cursor

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
