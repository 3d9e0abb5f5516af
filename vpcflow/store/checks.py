"""The value checks of a typed block, run where the block is parsed: in the reader thread, on a cursor of its
own, so the thread that stores the block before never waits for them."""

from __future__ import annotations

import threading

import duckdb
import pyarrow as pa

from ..fields import LogFormat
from ..parse.transform import typed_check_sql

_lock = threading.Lock()
_memory: list[duckdb.DuckDBPyConnection] = []  # one in-memory database for every reader's checks (a connect costs ~60 ms)


def passes_checks(con: duckdb.DuckDBPyConnection, fmt: LogFormat, stamped: bool, batch: pa.Table) -> bool:
    """True when every row of a typed `batch` is a record the staging SQL would pass as it is."""
    return not con.execute(typed_check_sql(fmt, stamped)).fetchall()[0][0]  # reads `batch` from this frame


class Checker:
    """passes_checks on a cursor of its own, for one reader thread; close() when the thread is done."""

    def __init__(self):
        with _lock:
            if not _memory:
                # one thread: the reader threads are the parallelism, and each DuckDB worker would trim the
                # whole process's free memory after its tasks (malloc_trim), so the next blocks fault it back in
                _memory.append(duckdb.connect(config={"threads": 1}))
            self.cursor = _memory[0].cursor()

    def __call__(self, fmt: LogFormat, stamped: bool, batch: pa.Table) -> bool:
        return passes_checks(self.cursor, fmt, stamped, batch)

    def close(self) -> None:
        self.cursor.close()
