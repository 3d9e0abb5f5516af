"""Flow-log records straight from their sources, typed and checked, without a store.

`read()` is the reader for a notebook or a script: files, folders, stdin, `s3://` and `cwl://` in, Arrow tables
out, one per source (a large source in several, block by block), with every line that is not a record named
beside them with its number and reason. It runs the store's own block pipeline (vpcflow.store.pipeline) with a
sink that hands the records over instead of storing them, so a line is a record here exactly when ingest would
store it; nothing is written anywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from .errors import SourceError, VpcFlowError
from .fields import LogFormat
from .fields.checks import MS_THRESHOLD
from .fields.table import INT_32, INT_64
from .parse.transform import (
    QUARANTINE_TEXT_LIMIT,
    parquet_format,
    stage_parquet_sql,
    staged_quarantine_sql,
    staged_records_sql,
    typed_select_sql,
)
from .sources.base import PARQUET, Source, failure
from .store.pipeline import ALONE, CLOSE, FAILED, JOIN, Step, ctrl_c, feed, passes_checks, steps
from .store.prepare import STORE_ROWS, Preread, read_ahead
from .store.readahead import SourceRead
from .store.targets import resolve_targets

ON_ERROR = ("report", "raise")
EVENT_TIME = pa.timestamp("us", tz="UTC")
_ARROW = {INT_32: pa.int32(), INT_64: pa.int64()}


@dataclass(frozen=True)
class BadLine:
    """A line that is not a record: its 1-based number in the source (None for a whole Parquet row), why, and
    its first 4 KB."""

    line: int | None
    reason: str
    text: str


@dataclass
class SourceRecords:
    """Records read from one source (or one block of a large one), and the lines beside them that were not."""

    source: str
    records: pa.Table  # the format's fields (field-table column names and types), event_time, log_stream
    quarantined: list[BadLine] = field(default_factory=list)
    format: LogFormat | None = None
    message: str | None = None  # read, with a warning (a compressed stream cut short)
    error: str | None = None  # not read at all: records is empty


@functools.lru_cache(maxsize=64)
def records_schema(fmt: LogFormat | None) -> pa.Schema:
    """The columns read() gives for a format: its fields as typed in the field table, then the timestamp a
    CloudWatch line carried (event_time) and the stream it came from (log_stream)."""
    fields = [pa.field(f.column, _ARROW.get(f.kind, pa.string())) for f in (fmt.fields if fmt else ())]
    return pa.schema(fields + [pa.field("event_time", EVENT_TIME), pa.field("log_stream", pa.string())])


def read(targets: Iterable[str | Path | Source] | str | Path | Source, *, format: str | LogFormat | None = None,
         since: datetime | None = None, until: datetime | None = None, session=None,
         on_error: str = "report") -> Iterator[SourceRecords]:
    """Records of files, folders, '-' (stdin), Source objects, and with an AWS `session`
    (vpcflow.aws.session.AwsSession) `s3://BUCKET/PREFIX` and `cwl://LOG_GROUP[/STREAM]`.

    on_error="report" keeps every good record and lists each bad line in `quarantined` (a source that cannot
    be read at all comes with `error`); on_error="raise" raises SourceError at the first of either, located.
    """
    if on_error not in ON_ERROR:
        raise VpcFlowError(f"on_error must be one of {', '.join(ON_ERROR)}, not {on_error!r}")
    fmt = LogFormat.parse(format) if isinstance(format, str) else format
    targets = [targets] if isinstance(targets, (str, Path, Source)) else targets
    failed: list[SourceRecords] = []

    def unresolved(location: str, why: str) -> None:
        failed.append(_failed(location, why))

    con = duckdb.connect()  # in memory: the checks and the staging SQL only
    con.execute("SET TimeZone = 'UTC'")
    con.execute("SET enable_progress_bar = false")  # a slow statement's bar would go to the caller's stdout
    ahead = read_ahead(resolve_targets(targets, since, until, session, fmt, unresolved), fmt)
    reader = _Reader(con)
    try:  # no store wants the second core: a large source's blocks are parsed on every core
        with ctrl_c():
            for step in steps(ahead, fmt, STORE_ROWS, threads=True):
                yield from _raising(_drain(failed), on_error)
                yield from _raising(reader.take(step, fmt), on_error)
            yield from _raising(_drain(failed), on_error)
    finally:  # stopped early (a break, on_error="raise"): the read-ahead threads end before the caller goes on
        ahead.close()
        con.close()


def _raising(results: Iterable[SourceRecords], on_error: str) -> Iterator[SourceRecords]:
    for r in results:
        if on_error == "raise" and r.error:
            raise SourceError(r.error)
        if on_error == "raise" and r.quarantined:
            bad = r.quarantined[0]
            raise SourceError(bad.reason, location=r.source if bad.line is None else f"{r.source}:{bad.line}",
                              hint="on_error='report', or vpcflow read without --strict, keeps the good records")
        yield r


def _drain(failed: list[SourceRecords]) -> Iterator[SourceRecords]:
    """The failures noted so far by the read-ahead thread, each handed over once (list.pop is atomic)."""
    while failed:
        yield failed.pop(0)


class _Reader:
    """Takes the pipeline's steps and gives SourceRecords, in source order: a group of small sources is
    checked in one query when it closes, other sources are read one by one."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.group: list[Preread] = []

    def take(self, step: Step, given: LogFormat | None) -> Iterator[SourceRecords]:
        """What is ready once this step is taken: a group's sources when it closes, a large source block by
        block as it is read (a generator, so memory holds a block, not the source)."""
        if step.kind == JOIN:
            self.group.append(step.pre)
        elif step.kind == CLOSE:
            group, self.group = self.group, []
            checked = self._typed_group([p for p in group if p.typed])
            yield from (checked[id(p)] if id(p) in checked else self._whole(p) for p in group)
        elif step.kind == FAILED:
            yield _failed(step.src.identity, failure(step.src.identity, step.error))
        elif step.kind == ALONE:
            yield from self._one(step, given)

    def _typed_group(self, typed: list[Preread]) -> dict[int, SourceRecords]:
        """Sources whose blocks all parsed, checked in one query; {} when a value fails (each is then read
        alone, so the staging SQL names the line)."""
        if not typed:
            return {}
        layout = typed[0].layout
        batch = pa.concat_tables([b.records for p in typed for b in p.batches])
        if not passes_checks(self.con, layout.format, layout.stamped, batch):
            return {}
        table = _conform(_as_stored(self.con, layout.format, layout.stamped, batch), layout.format)  # once
        out, offset = {}, 0
        for p in typed:
            out[id(p)] = _result(p.src, layout.format, table.slice(offset, p.rows), [], p.truncated)
            offset += p.rows
        return out

    def _whole(self, pre: Preread) -> SourceRecords:
        if pre.error is not None:
            return _failed(pre.src.identity, str(pre.error))
        sink = _Collected(self.con)
        for _ in feed(pre.batches, pre.decoder, sink, pre.src.first_line):
            pass
        records, bad = sink.taken()
        return _result(pre.src, sink.format, records, bad, pre.truncated)

    def _one(self, step: Step, given: LogFormat | None) -> Iterator[SourceRecords]:
        """A source read on its own: streamed block by block (a large text), whole (one read whole that
        cannot join a group), or through DuckDB (Parquet)."""
        src = step.src
        try:
            if step.pre is not None:
                yield self._whole(step.pre)
            elif src.kind == PARQUET:
                yield _parquet(self.con, src)
            else:
                yield from self._streamed(src, step.ahead or SourceRead(src, src.format or given, threads=True))
        except (VpcFlowError, OSError) as exc:
            yield _failed(src.identity, failure(src.identity, exc))

    def _streamed(self, src: Source, ahead: SourceRead) -> Iterator[SourceRecords]:
        sink = _Collected(self.con)
        try:
            for _ in feed(ahead, ahead.decoder, sink, src.first_line):
                records, bad = sink.taken()
                yield _result(src, sink.format, records, bad, None)
        finally:
            ahead.close()
        records, cut = sink.taken()
        if cut:
            yield _result(src, sink.format, records, cut, ahead.decoder.reader.truncated)


class _Collected:
    """read()'s sink for the block pipeline: each block's records as the store would hold them, and its bad
    lines, kept until taken."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.format: LogFormat | None = None
        self.records: list[pa.Table] = []
        self.bad: list[BadLine] = []

    def start(self, layout) -> None:
        self.format = layout.format

    def typed(self, fmt: LogFormat, stamped: bool, batch: pa.Table) -> None:
        self.records.append(_conform(_as_stored(self.con, fmt, stamped, batch), fmt))

    def staged(self, fmt: LogFormat, stage_sql: str, batch: pa.Table, expected: int) -> None:
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {stage_sql}")  # reads `batch` from this frame
        records, bad = _good_and_bad(self.con, fmt)
        self.records.append(_conform(records, fmt))
        self.bad += bad

    def quarantine(self, rows: list[tuple[int, str, str]]) -> None:
        self.bad += [BadLine(n, reason, text[:QUARANTINE_TEXT_LIMIT]) for n, reason, text in rows]

    def taken(self) -> tuple[pa.Table, list[BadLine]]:
        """The records and bad lines (in line order) collected since the last call."""
        records, self.records = self.records, []
        bad, self.bad = sorted(self.bad, key=lambda b: b.line), []
        return (pa.concat_tables(records) if records else _NONE), bad


def _as_stored(con, fmt: LogFormat, stamped: bool, batch: pa.Table) -> pa.Table:
    """A checked typed block as the store holds it: start and end in seconds, the leading time cast."""
    ms = [batch[c] for c in ("start", "end") if c in batch.column_names]
    if stamped or any((pc.max(col).as_py() or 0) > MS_THRESHOLD for col in ms):
        return con.sql(typed_select_sql(fmt, stamped)).to_arrow_table()  # reads `batch` from this frame
    return batch.append_column("event_time", pa.nulls(batch.num_rows, EVENT_TIME))


def _good_and_bad(con, fmt: LogFormat) -> tuple[pa.Table, list[BadLine]]:
    try:
        records = con.sql(staged_records_sql(fmt)).to_arrow_table()
        bad = [BadLine(n, reason, text) for n, reason, text in con.execute(staged_quarantine_sql()).fetchall()]
        return records, bad
    finally:
        con.execute("DROP TABLE IF EXISTS staged")


def _parquet(con, src: Source) -> SourceRecords:
    """A Parquet source: its columns name its format; values are checked like text."""
    with src.local_file() as path:
        try:
            fmt = parquet_format(con, path)
            con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {stage_parquet_sql(fmt)}", {"path": path})
            records, bad = _good_and_bad(con, fmt)
            return _result(src, fmt, records, bad, None)
        except duckdb.InterruptException:
            raise
        except duckdb.Error as exc:
            raise SourceError(f"not a readable Parquet file: {str(exc).splitlines()[0]}",
                              location=src.identity) from exc


def _failed(identity: str, why: str) -> SourceRecords:
    return SourceRecords(identity, records_schema(None).empty_table(), error=why)


_NONE = pa.table({})  # no records: _result gives it the format's columns


def _conform(records: pa.Table, fmt: LogFormat | None) -> pa.Table:
    """The records in the schema of their format, but for log_stream."""
    schema = records_schema(fmt).remove(len(records_schema(fmt)) - 1)
    if records.schema.equals(schema):
        return records
    columns = [records[f.name].cast(f.type) if f.name in records.column_names else pa.nulls(records.num_rows, f.type)
               for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def _result(src: Source, fmt: LogFormat | None, records: pa.Table, bad: list[BadLine],
            message: str | None) -> SourceRecords:
    records = _conform(records, fmt)
    stream = pa.repeat(pa.scalar(src.log_stream, pa.string()), records.num_rows)
    return SourceRecords(src.identity, records.append_column("log_stream", stream), bad, fmt, message)
