"""Many small sources (S3 objects of a few KB, CloudWatch streams) ingested together.

Planning the typed staging SQL costs about as much as running it on a few thousand lines, so small sources
of the same layout are read whole and staged in one statement. The group commits as one transaction with
a ledger row per source: still exactly once, since a crash commits none of them. A group that fails is
retried one source at a time, so one bad source cannot sink the others.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ..fields import LogFormat
from ..parse.chunks import LineBatch, LineReader
from ..parse.sniff import Layout, sniff
from ..parse.transform import stage_lines_sql
from ..sources.base import TEXT, Source
from .schema import QUARANTINE_TEXT_LIMIT, ensure_columns, quote

SMALL_BYTES = 4 << 20  # raw bytes; larger sources stream on their own
GROUP_LINES = 250_000  # lines staged in one statement, to bound memory


@dataclass
class Preread:
    """A small source read whole: its batches, checksum and layout."""

    src: Source
    batches: list[LineBatch]
    checksum: str
    truncated: str | None
    layout: Layout | None = None
    header_line: int = 0
    error: Exception | None = None  # raised again on the one-by-one path, inside its transaction

    @property
    def lines(self) -> int:
        return sum(len(b.lines) for b in self.batches)

    @property
    def groupable(self) -> bool:
        return (self.error is None and self.truncated is None and self.layout is not None
                and self.layout.format is not None and not any(b.problems for b in self.batches))

    def key(self) -> tuple:
        lay = self.layout
        return (tuple(lay.format.columns), lay.prefix, lay.header)


def is_small(src: Source) -> bool:
    return src.kind == TEXT and src.size is not None and src.size <= SMALL_BYTES


def preread(src: Source, given: LogFormat | None) -> Preread:
    reader = LineReader(src.opener(), src.identity)
    batches = list(reader)
    pre = Preread(src, batches, reader.checksum, reader.truncated)
    first, line_no = None, 0
    for b in batches:
        for i, s in enumerate(b.lines.to_pylist()):
            if s.strip():
                first, line_no = s, b.first_line + i
                break
        if first is not None:
            break
    try:
        pre.layout = sniff(first, src.format or given, src.identity)
        pre.header_line = line_no
    except Exception as exc:  # a header that disagrees: reported by the one-by-one path
        pre.error = exc
    return pre


def ingest_group(con: duckdb.DuckDBPyConnection, group: list[Preread], columns: dict[str, str], before_commit,
                 result_type) -> list | None:
    """Ingest a group in one transaction; the results, or None when the group must be retried one by one."""
    layout = group[0].layout
    fmt = layout.format
    results = []
    con.execute("BEGIN TRANSACTION")
    try:
        ensure_columns(con, fmt.fields, columns)
        tables, live = [], []
        for pre in group:
            dup = con.execute("SELECT 1 FROM sources WHERE identity = ? AND checksum = ?",
                              [pre.src.identity, pre.checksum]).fetchall()
            if dup:
                results.append(result_type(pre.src.identity, status="skipped", message="already ingested (same content)"))
                continue
            sid = con.execute("SELECT nextval('source_ids')").fetchall()[0][0]
            live.append((pre, sid))
            for b in pre.batches:
                n = len(b.lines)
                tables.append(pa.table({
                    "n": pa.array(range(b.first_line, b.first_line + n), pa.int64()), "line": b.lines,
                    "source_id": pa.array([sid] * n, pa.int64()),
                    "log_stream": pa.array([pre.src.log_stream] * n, pa.string()),
                    "source": pa.array([pre.src.identity] * n, pa.string()),
                }))
        counts: dict[int, tuple[int, int]] = {}
        if tables:
            batch = pa.concat_tables(tables)  # read by DuckDB's replacement scan of this frame (not registered)
            stage = stage_lines_sql(fmt, layout.prefix, layout.header, ("source_id", "log_stream", "source"))
            con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {stage}")
            del batch
            target = ", ".join(quote(c) for c in fmt.columns)
            cols = ", ".join(f"c{i}" for i in range(len(fmt)))
            con.execute(f"INSERT INTO flow_records ({target}, event_time, log_stream, source_id) "
                        f"SELECT {cols}, event_time, log_stream, source_id FROM staged WHERE reason IS NULL").fetchall()
            con.execute("INSERT INTO quarantine SELECT source_id, source, n, reason, "
                        f"left(line, {QUARANTINE_TEXT_LIMIT}) FROM staged "
                        "WHERE reason IS NOT NULL AND reason NOT IN ('blank', 'header')").fetchall()
            for sid, good, bad in con.execute(
                    "SELECT source_id, count(*) FILTER (reason IS NULL), "
                    "count(*) FILTER (reason NOT IN ('blank', 'header')) FROM staged GROUP BY source_id").fetchall():
                counts[sid] = (good, bad)
            con.execute("DROP TABLE staged")
        for pre, sid in live:
            good, bad = counts.get(sid, (0, 0))
            con.execute("INSERT INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'ok', NULL, now())",
                        [sid, pre.src.identity, pre.src.size, pre.src.version, pre.checksum, fmt.log_format(), good, bad])
            done = result_type(pre.src.identity, good, bad, source_id=sid)
            if before_commit is not None:
                before_commit(con, pre.src, done)
            results.append(done)
        con.execute("COMMIT")
        return results
    except Exception:
        con.execute("ROLLBACK")
        columns.clear()
        return None
