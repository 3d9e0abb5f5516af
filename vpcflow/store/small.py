"""Many small sources (S3 objects of a few KB, CloudWatch streams) stored together.

Small sources of one layout, read whole by the pipeline (prepare.py), are stored in one transaction with a
ledger row per source: still exactly once, since a crash commits none of them. A group whose data is not
clean (a value DuckDB cannot convert, a constraint) is retried one source at a time, so one bad source cannot
sink the others; any other error (an interrupt, a bug) surfaces.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import duckdb
import pyarrow as pa

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..parse.sniff import Layout
from ..parse.transform import QUARANTINE_TEXT_LIMIT, insert_typed_sql, stage_lines_sql
from .checks import Checker
from .ledger import EMPTY, held_contents, replace_earlier
from .prepare import STORE_ROWS, Preread
from .rowgroups import RowGroups, insert_stream
from .schema import ensure_columns, quote

# What a group's data can raise when it is not clean: each source is then stored alone, where the bad one is
# named (a group too large for memory is smaller alone). Anything else, DuckDB's interrupt included, surfaces.
NOT_CLEAN = (duckdb.ConversionException, duckdb.ConstraintException, duckdb.InvalidInputException,
             duckdb.OutOfRangeException, duckdb.OutOfMemoryException, pa.ArrowInvalid, VpcFlowError)


class OpenGroup:
    """Small sources of one layout stored in one transaction. `take` stores them as the pipeline brings them:
    one INSERT reads their checked records a whole row group at a time, each as it fills, so DuckDB's threads
    take turns fetching the next one (the ledger looked up, the records gathered) and compressing the one they
    fetched; the rest are staged and the ledger rows written when it closes. A failure anywhere rolls all of it
    back (close() gives None)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, columns: dict[str, str], before_commit, result_type):
        self.con, self.columns, self.before_commit, self.result_type = con, columns, before_commit, result_type
        self.members: list[Preread] = []
        self.live: list[tuple[Preread, int]] = []  # stored or to stage, with their source ids
        self.staged: list[tuple[Preread, int]] = []
        self.counts: dict[int, tuple[int, int]] = {}
        self.results: list = []
        self.held: dict[str, str] = {}  # checksum: why a later source of that content is skipped
        self.skipped: list[Preread] = []  # held already: their identities' earlier revisions go at commit
        self.typed = RowGroups(groups=1)  # checked typed records of the live sources, not yet handed over
        self.begun = False
        self.failed = False

    @property
    def key(self) -> tuple:
        return self.members[0].key()

    def take(self, first: Preread, joins: Iterator[Preread]) -> None:
        """Store `first` and the sources `joins` brings until it ends. The INSERT starts with the first whole row
        group; once it is done, a group that failed still takes the rest of its members, to retry them alone."""
        cursor = self.con.cursor()  # the ledger, looked up while the group's connection runs its INSERT
        sql = insert_typed_sql(first.layout.format, per_row=True, stamped=first.layout.stamped)
        try:
            insert_stream(self.con, sql, None, self._row_groups(itertools.chain([first], joins), cursor))
        except NOT_CLEAN:  # a value DuckDB refused, or a source that did not read as it should: one at a time
            self._abandon()
        finally:
            cursor.close()
        self.members += joins

    def _row_groups(self, joins: Iterator[Preread], cursor: duckdb.DuckDBPyConnection) -> Iterator[pa.RecordBatch]:
        """The group's whole row groups as they fill, then the rest (in DuckDB's threads once the INSERT began)."""
        waiting, rows = [], 0  # sources not yet looked up in the ledger, and their typed records
        for pre in joins:
            self.members.append(pre)
            waiting.append(pre)
            rows += pre.rows
            if rows >= STORE_ROWS:
                yield from self._store(waiting, cursor)
                waiting, rows = [], 0
        yield from self._store(waiting, cursor)
        rest = self.typed.rest()
        if rest is not None:
            yield from rest.to_batches()

    def _store(self, pres: list[Preread], cursor: duckdb.DuckDBPyConnection) -> list[pa.RecordBatch]:
        """Look the sources up, give the new ones ids; the whole row groups of typed records now waiting."""
        if not self.begun:  # on the group's own thread: the INSERT starts with the first row group
            self.con.execute("BEGIN TRANSACTION")
            self.begun = True
            ensure_columns(self.con, self.members[0].layout.format.fields, self.columns)
        fresh = []
        stored = held_contents(cursor, [(p.src.identity, p.checksum) for p in pres])
        for p, dup in zip(pres, stored, strict=True):  # held (under any identity), or twice in this group: stored once
            dup = dup or (self.held.get(p.checksum) if p.checksum != EMPTY else None)
            if dup:
                self.results.append(self.result_type(p.src.identity, status="skipped", message=dup))
                self.skipped.append(p)
            else:
                self.held[p.checksum] = f"already ingested (same content), as {p.src.identity}"
                fresh.append(p)
        ids = [r[0] for r in cursor.execute("SELECT nextval('source_ids') FROM range(?)", [len(fresh)]).fetchall()]
        live = list(zip(fresh, ids, strict=True))
        self.live += live
        layout = self.members[0].layout
        counts, whole = _typed(layout.format, [(pre, sid) for pre, sid in live if pre.typed], self.typed,
                               stamped=layout.stamped)
        self.counts.update(counts)
        for pre, sid in live:
            if sid in counts:
                pre.release()
        self.staged += [(pre, sid) for pre, sid in live if sid not in counts]
        return whole.to_batches() if whole is not None else []

    def _abandon(self) -> None:
        self.typed.drop()
        if self.begun:
            self.con.execute("ROLLBACK")
        self.columns.clear()  # an ALTER in the rolled-back transaction is gone too
        self.failed = True

    def close(self) -> list | None:
        """Commit the group: its results, or None when it must be retried one source at a time."""
        if self.failed:
            return None
        try:
            layout = self.members[0].layout
            self.counts.update(_stage(self.con, layout, self.staged))
            taken = [pre for pre, _ in self.live] + self.skipped
            replace_earlier(self.con, [(p.src, p.checksum) for p in taken])
            _ledger(self.con, layout.format, self.live, self.counts)
            for pre, sid in self.live:
                good, bad = self.counts.get(sid, (0, 0))
                done = self.result_type(pre.src.identity, good, bad, source_id=sid)
                if self.before_commit is not None:
                    self.before_commit(self.con, pre.src, done)
                self.results.append(done)
            self.con.execute("COMMIT")
            return self.results
        except NOT_CLEAN:
            self._abandon()
            return None

    def abandon(self) -> None:
        """Roll back what the group holds (it was interrupted): nothing of it commits."""
        if not self.failed:
            self._abandon()


def _ledger(con: duckdb.DuckDBPyConnection, fmt: LogFormat, live: list[tuple[Preread, int]], counts: dict) -> None:
    """The group's ledger rows, in one statement."""
    if not live:
        return
    rows = pa.table({  # read by DuckDB's replacement scan of this frame
        "source_id": [sid for _, sid in live], "identity": [p.src.identity for p, _ in live],
        "size": pa.array([p.src.size for p, _ in live], pa.int64()), "revision": [p.src.version for p, _ in live],
        "checksum": [p.checksum for p, _ in live], "records": [counts.get(sid, (0, 0))[0] for _, sid in live],
        "quarantined": [counts.get(sid, (0, 0))[1] for _, sid in live]})
    con.execute("INSERT INTO sources SELECT source_id, identity, size, revision, checksum, ?, records, quarantined, "
                "'ok', NULL, now() FROM rows", [fmt.log_format()]).fetchall()
    del rows


def _typed(fmt: LogFormat, typed: list[tuple[Preread, int]], waiting: RowGroups,
           stamped: bool = False) -> tuple[dict, pa.Table | None]:
    """Take sources whose blocks all parsed whole, when all their values pass the checks: ({source_id: (good,
    0)}, the whole row groups now waiting). Otherwise nothing, and they are staged line by line like the others."""
    if not typed:
        return {}, None
    tables = []
    for pre, sid in typed:
        for b in pre.batches:
            n = b.records.num_rows
            tables.append(b.records.append_column("source_id", pa.repeat(pa.scalar(sid, pa.int64()), n))
                          .append_column("log_stream", pa.repeat(pa.scalar(pre.src.log_stream, pa.string()), n)))
    batch = pa.concat_tables(tables)
    checked = all(b.checked for pre, _ in typed for b in pre.batches)  # in the read-ahead thread
    if not checked:  # in a database of its own: this runs in the store's threads, inside its INSERT
        check = Checker()
        try:
            if not check(fmt, stamped, batch):
                return {}, None
        finally:
            check.close()
    return {sid: (sum(b.records.num_rows for b in pre.batches), 0) for pre, sid in typed}, waiting.add(batch)


def _stage(con: duckdb.DuckDBPyConnection, layout: Layout, staged: list[tuple[Preread, int]]) -> dict:
    """Stage sources line by line in one statement: {source_id: (good, bad)}."""
    fmt = layout.format
    tables = []
    for pre, sid in staged:
        for b in pre.line_batches():
            n = len(b.lines)
            tables.append(pa.table({
                "n": pa.array(range(b.first_line, b.first_line + n), pa.int64()), "line": b.lines,
                "source_id": pa.repeat(pa.scalar(sid, pa.int64()), n),
                "log_stream": pa.repeat(pa.scalar(pre.src.log_stream, pa.string()), n),
                "source": pa.repeat(pa.scalar(pre.src.identity, pa.string()), n),
            }))
    if not tables:
        return {}
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
    counts = {sid: (good, bad) for sid, good, bad in con.execute(
        "SELECT source_id, count(*) FILTER (reason IS NULL), "
        "count(*) FILTER (reason NOT IN ('blank', 'header')) FROM staged GROUP BY source_id").fetchall()}
    con.execute("DROP TABLE staged")
    return counts
