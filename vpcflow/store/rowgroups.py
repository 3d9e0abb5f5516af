"""Typed records handed to DuckDB in whole row groups, so its threads store them in parallel.

DuckDB inserts Arrow one record batch per task. A batch of exactly one row group is compressed and written by
the thread that takes it, leaving nothing for the commit or the checkpoint to merge and rewrite; a parallel
insert of parsed blocks as they come (a few thousand rows per batch, a partial row group per insert) left the
checkpoint to compress most of it again on one thread. So the rows of a large source are gathered until
INSERT_GROUPS row groups are waiting, and the rest waits for the next ones; a group of small sources hands each
row group over as it fills, to one INSERT reading them as a stream (insert_stream).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import duckdb
import pyarrow as pa

from ..parse.typed import PARSE_POOL
from .schema import insert_arrow

ROW_GROUP = 122_880  # DuckDB's row group size
INSERT_GROUPS = 2  # row groups to an INSERT: work for each of DuckDB's threads, bounded memory


class RowGroups:
    """Typed tables of one schema, taken back in whole row groups once `groups` of them are waiting."""

    def __init__(self, groups: int = INSERT_GROUPS):
        self.waiting: list[pa.Table] = []
        self.rows = 0
        self.least = ROW_GROUP  # the first insert takes one, so storing starts early; then `groups` at a time
        self.most = groups * ROW_GROUP

    def add(self, table: pa.Table) -> pa.Table | None:
        """Keep `table`; the whole row groups waiting once there are enough of them, else None."""
        self.waiting.append(table)
        self.rows += table.num_rows
        if self.rows < self.least:
            return None
        self.least = self.most
        return self._take(self.rows - self.rows % ROW_GROUP)

    def rest(self) -> pa.Table | None:
        """Everything still waiting (the source or the group is done), or None."""
        return self._take(self.rows) if self.rows else None

    def drop(self) -> None:
        self.waiting, self.rows = [], 0

    def _take(self, n: int) -> pa.Table:
        """The first `n` rows waiting, in record batches of one row group each (one copy, into whole columns).
        Only those are copied: the rows after them stay where they were parsed, as a zero-copy slice."""
        waiting = pa.concat_tables(self.waiting)
        rest = waiting.slice(n)
        self.waiting, self.rows = ([rest] if rest.num_rows else []), rest.num_rows
        whole = waiting.slice(0, n).combine_chunks(memory_pool=PARSE_POOL)
        return pa.Table.from_batches(whole.to_batches(max_chunksize=ROW_GROUP), whole.schema)


def insert_stream(con: duckdb.DuckDBPyConnection, sql: str, params: dict | None,
                  batches: Iterator[pa.RecordBatch]) -> int:
    """Run an INSERT that reads `batch`, here the record batches `batches` makes (whole row groups but the last),
    as DuckDB asks for them: its threads take turns making the next one and storing the one they took, so
    gathering and storing overlap with no thread of ours waiting in between. The first is made on this thread
    (the reader's schema is its schema). Whatever `batches` raises, Ctrl-C included, comes back here as itself
    once the INSERT has ended (through DuckDB it would be an InvalidInputException). The rows inserted."""
    raised: list[BaseException] = []

    def guarded() -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except GeneratorExit:
            raise
        except BaseException as exc:  # noqa: BLE001  (raised again below, on the caller's thread)
            raised.append(exc)

    made = guarded()
    try:
        first = next(made, None)
        if first is None:
            return 0
        batch = pa.RecordBatchReader.from_batches(first.schema, itertools.chain([first], made))
        return insert_arrow(con, sql, params, batch)
    finally:
        made.close()
        if raised:
            raise raised[0]
