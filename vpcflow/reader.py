"""Flow-log records straight from their sources, typed and checked, without a store.

`read()` is the reader for a notebook or a script: files, folders, stdin, `s3://` and `cwl://` in, Arrow tables
out, one per source (a large source in several, block by block), with every line that is not a record named
beside them with its number and reason. The checks are the store's own SQL, so a line is a record here exactly
when ingest would store it. Small sources are read ahead in a thread, parsed together and checked in groups,
as ingest does; nothing is written anywhere.
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
from .parse.chunks import LineBatch
from .parse.transform import (
    parquet_format,
    stage_lines_sql,
    stage_parquet_sql,
    staged_quarantine_sql,
    staged_records_sql,
    typed_check_sql,
    typed_select_sql,
)
from .parse.typed import BlockDecoder, TypedBatch
from .sources.base import PARQUET, Source, failure
from .store.many import PREREAD_BYTES, PREREAD_DEPTH, _prepared, _text_bytes
from .store.readahead import ReadAhead, SourceRead
from .store.small import STORE_ROWS, Preread

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
    con = duckdb.connect()  # in memory: the checks and the staging SQL only
    con.execute("SET TimeZone = 'UTC'")
    ahead = ReadAhead(_prepared(None, _sources(targets, since, until, session, failed), fmt), depth=PREREAD_DEPTH,
                      name="vpcflow-preread", weight=_text_bytes, budget=PREREAD_BYTES)
    reader = _Reader(con, fmt)
    try:
        for src, pre in ahead:
            yield from _raising(_drain(failed), on_error)
            yield from _raising(reader.take(src, pre), on_error)
        yield from _raising(reader.flush(), on_error)
        yield from _raising(_drain(failed), on_error)
    finally:  # stopped early (a break, on_error="raise"): the read-ahead threads end before the caller goes on
        ahead.close()
        ahead.thread.join(timeout=5)
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


def _sources(targets, since, until, session, failed: list[SourceRecords]) -> Iterator[Source]:
    """The targets as Sources; a target that cannot be resolved is listed in `failed`, the others go on."""
    from .sources.local import resolve

    for t in targets:
        if isinstance(t, Source):
            yield t
            continue
        t = str(t)
        errors: list = []
        try:
            if t.startswith(("s3://", "cwl://")):
                if session is None:
                    raise VpcFlowError("reading AWS needs a session", location=t,
                                       hint="pass session=AwsSession(AwsSettings(region=...)) from vpcflow.aws.session")
                from .aws.sources import resolve as aws_resolve
                yield from aws_resolve(t, session, since, until)
            else:
                yield from resolve(t, since, until, errors)
        except VpcFlowError as exc:
            errors.append(exc)
        failed.extend(_failed(e.location or t, str(e)) for e in errors)


class _Reader:
    """Turns what the read-ahead thread hands over into SourceRecords, in source order: small sources that
    parsed whole wait in a group of one layout and are checked in one query, the rest are read one by one."""

    def __init__(self, con: duckdb.DuckDBPyConnection, given: LogFormat | None):
        self.con, self.given = con, given
        self.group: list[Preread] = []
        self.rows = 0

    def take(self, src: Source, pre) -> Iterator[SourceRecords]:
        """What is ready once this source is taken: a group's sources when it fills, a large source block by
        block as it is read (a generator, so memory holds a block, not the source)."""
        if isinstance(pre, Preread) and pre.groupable and pre.typed:  # the group is bounded by its rows
            if self.group and self.group[0].key() != pre.key():
                yield from self.flush()
            self.group.append(pre)
            self.rows += sum(b.records.num_rows for b in pre.batches)
            if self.rows >= STORE_ROWS:
                yield from self.flush()
            return
        yield from self.flush()
        if isinstance(pre, BaseException):
            yield _failed(src.identity, failure(src.identity, pre))
            return
        yield from self._one(src, pre)

    def flush(self) -> list[SourceRecords]:
        group, self.group, self.rows = self.group, [], 0
        if not group:
            return []
        checked = self._typed_group(group)
        return [checked[id(p)] if id(p) in checked else self._whole(p) for p in group]

    def _typed_group(self, typed: list[Preread]) -> dict[int, SourceRecords]:
        """Sources whose blocks all parsed, checked in one query; {} when a value fails (each is then read
        alone, so the staging SQL names the line)."""
        if not typed:
            return {}
        layout = typed[0].layout
        tables = [b.records for p in typed for b in p.batches]
        table = _checked(self.con, layout.format, layout.stamped, pa.concat_tables(tables))
        if table is None:
            return {}
        table = _conform(table, layout.format)  # once for the group, not per source
        out, offset = {}, 0
        for p in typed:
            n = sum(b.records.num_rows for b in p.batches)
            out[id(p)] = _result(p.src, layout.format, table.slice(offset, n), [], p.truncated)
            offset += n
        return out

    def _whole(self, pre: Preread) -> SourceRecords:
        if pre.error is not None:
            return _failed(pre.src.identity, str(pre.error))
        blocks = _Blocks(self.con, pre.decoder, pre.src.first_line)
        parts = list(blocks.read(pre.batches))
        bad = [b for _, lines in parts for b in lines] + blocks.truncation()
        fmt = pre.layout.format if pre.layout else None
        records = [_conform(r, fmt) for r, _ in parts if r is not None]
        return _result(pre.src, fmt, pa.concat_tables(records) if records else _NONE, bad, pre.truncated)

    def _one(self, src: Source, pre) -> Iterator[SourceRecords]:
        """A source read on its own: streamed block by block (a large text), whole (a Preread that cannot be
        grouped), or through DuckDB (Parquet)."""
        try:
            if isinstance(pre, Preread):
                yield self._whole(pre)
            elif src.kind == PARQUET:
                yield _parquet(self.con, src)
            else:
                yield from self._streamed(src)
        except (VpcFlowError, OSError) as exc:
            yield _failed(src.identity, failure(src.identity, exc))

    def _streamed(self, src: Source) -> Iterator[SourceRecords]:
        ahead = SourceRead(src, src.format or self.given, threads=True)  # no store wants the other core
        blocks = _Blocks(self.con, ahead.decoder, src.first_line)
        try:
            for records, bad in blocks.read(ahead):
                yield _result(src, blocks.format, records if records is not None else _NONE, bad, None)
        finally:
            ahead.close()
        if (cut := blocks.truncation()):
            yield _result(src, blocks.format, _NONE, cut, ahead.decoder.reader.truncated)


class _Blocks:
    """(records, bad lines) of each block of one source, as ingest decides them: a typed block whose values
    pass the checks as it is, anything else line by line through the staging SQL."""

    def __init__(self, con: duckdb.DuckDBPyConnection, decoder: BlockDecoder, first_line: int = 1):
        self.con, self.decoder = con, decoder
        self.next_line = first_line  # the line after the last one taken: where a cut-short stream is reported

    @property
    def format(self) -> LogFormat | None:
        return self.decoder.layout.format if self.decoder.layout else None

    def read(self, items) -> Iterator[tuple[pa.Table | None, list[BadLine]]]:
        for item in items:
            layout, fmt = self.decoder.layout, self.format
            if isinstance(item, TypedBatch):
                self.next_line = item.block.first_line + item.block.lines
                records = _checked(self.con, fmt, layout.stamped, item.records)
                if records is not None:
                    yield records, []
                    continue
                item = self.decoder.reader.lines(item.block)  # a value out of bounds: the staging SQL says which
            self.next_line = item.first_line + len(item.lines)
            bad = [BadLine(n, reason, text) for n, reason, text in item.problems]
            if fmt is None:
                reason = (layout.why_unknown if layout else None) or "cannot tell the format; pass format="
                bad += [BadLine(item.first_line + i, reason, s[:4096])
                        for i, s in enumerate(item.lines.to_pylist()) if s.strip()]
                yield None, sorted(bad, key=lambda b: b.line)
                continue
            records, staged_bad = _staged(self.con, fmt, layout, item)
            yield records, sorted(bad + staged_bad, key=lambda b: b.line)

    def truncation(self) -> list[BadLine]:
        cut = self.decoder.reader.truncated if self.decoder.reader is not None else None
        return [BadLine(self.next_line, cut, "")] if cut else []


def _checked(con, fmt: LogFormat, stamped: bool, batch: pa.Table) -> pa.Table | None:
    """A typed block as the store would hold it, or None when a value fails the checks."""
    if con.execute(typed_check_sql(fmt, stamped)).fetchall()[0][0]:  # reads `batch` from this frame
        return None
    ms = [batch[c] for c in ("start", "end") if c in batch.column_names]
    if stamped or any((pc.max(col).as_py() or 0) > MS_THRESHOLD for col in ms):
        return con.sql(typed_select_sql(fmt, stamped)).to_arrow_table()
    return batch.append_column("event_time", pa.nulls(batch.num_rows, EVENT_TIME))


def _staged(con, fmt: LogFormat, layout, item: LineBatch) -> tuple[pa.Table, list[BadLine]]:
    batch = pa.table({"n": pa.array(range(item.first_line, item.first_line + len(item.lines)), pa.int64()),
                      "line": item.lines})
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {stage_lines_sql(fmt, layout.prefix, layout.header)}")
    del batch
    return _good_and_bad(con, fmt)


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
