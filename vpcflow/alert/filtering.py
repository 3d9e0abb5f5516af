"""`filter`: the records of files or of the store that a filter pattern matches, as they were written."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from ..errors import StoreError
from ..fields import DEFAULT, LogFormat
from .evaluate import compile_predicate
from .lines import Line, read_lines
from .pattern import Pattern, parse
from .sql import compile_sql, line_of


def filter_lines(pattern: Pattern | str, paths: list[str],
                 session_factory: Callable[[], object] | None = None) -> Iterator[Line]:
    """Matching record lines of files (plain or gzip; directories walked; `-` is stdin), s3:// objects and
    cwl:// events (`session_factory` gives the AwsSession for those)."""
    predicate = compile_predicate(pattern if isinstance(pattern, Pattern) else parse(pattern))
    for line in read_lines(paths, session_factory):
        if predicate(line.message):
            yield line


def filter_store(pattern: Pattern | str, db: str | Path, fmt: LogFormat = DEFAULT,
                 batch: int = 10_000) -> Iterator[Line]:
    """Matching records of the store, each rebuilt as a line in `fmt`; positional names follow `fmt`."""
    where = compile_sql(pattern, fmt)
    if not Path(db).exists():
        raise StoreError("no such store", location=str(db), hint="create it with `vpcflow ingest --db`")
    # A correlated look-up, not a join: the ledger shares column names (version) with flows.
    identity = "(SELECT s.identity FROM sources s WHERE s.source_id = flows.source_id)"
    sql = (f"SELECT coalesce({identity}, 'store'), {line_of(fmt)} FROM flows "
           f'WHERE {where.where} ORDER BY flows.source_id, flows."start", flows."end"')
    con = duckdb.connect(str(db), read_only=True)
    try:
        cursor = con.execute(sql, list(where.params))
        while rows := cursor.fetchmany(batch):
            for source, message in rows:
                yield Line(source, None, message)
    except duckdb.Error as exc:
        raise StoreError(f"filter query failed: {exc}", location=str(db)) from exc
    finally:
        con.close()
