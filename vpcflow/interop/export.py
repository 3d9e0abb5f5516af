"""Export the store as OCSF, ECS, or flat Parquet/CSV with AWS's column names: one streaming DuckDB COPY.

DuckDB builds each record as nested structs and writes it itself (`COPY (SELECT ...) TO`), so memory stays
bounded and nothing passes through Python row by row. Progress comes from DuckDB's own query progress, polled
by a thread while the COPY runs in the calling one. The COPY writes a temporary file beside the
destination, renamed into place when whole: Ctrl-C or an error leaves no partial file.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from ..errors import VpcFlowError
from ..fields import FIELDS, LogFormat
from ..store.schema import quote
from . import ecs, ocsf

KINDS = ("ocsf", "ecs", "parquet", "csv")
# file suffix -> DuckDB COPY format
SUFFIXES = {".jsonl": "json", ".json": "json", ".ndjson": "json", ".parquet": "parquet", ".csv": "csv"}
# which file formats each kind can write
ALLOWED = {"ocsf": ("json", "parquet"), "ecs": ("json", "parquet"), "parquet": ("parquet",), "csv": ("csv",)}
COPY_OPTIONS = {"json": "FORMAT json", "parquet": "FORMAT parquet, COMPRESSION zstd", "csv": "FORMAT csv, HEADER true",
                # one JSON document per line, written as is: a one-column CSV without quoting
                "json_documents": "FORMAT csv, HEADER false, QUOTE '', ESCAPE ''"}


class ExportError(VpcFlowError):
    """An export that cannot be done as asked (unknown kind, destination suffix, unreadable store)."""


@dataclass(frozen=True)
class ExportResult:
    kind: str
    dest: str
    file_format: str
    records: int
    seconds: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "dest": self.dest, "format": self.file_format, "records": self.records,
                "seconds": round(self.seconds, 3)}


def _epoch(value: datetime | int | None) -> int | None:
    if value is None or isinstance(value, int):
        return value
    return int(value.timestamp())


def window_sql(since: datetime | int | None, until: datetime | int | None) -> tuple[str, dict]:
    """SQL WHERE clause (possibly empty) on the record's start, with its bound parameters."""
    clauses, params = [], {}
    if since is not None:
        clauses.append("start >= $since")
        params["since"] = _epoch(since)
    if until is not None:
        clauses.append("start < $until")
        params["until"] = _epoch(until)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def file_format(kind: str, dest: str | Path) -> str:
    """The file format DEST's suffix asks for, checked against what `kind` can write."""
    if kind not in KINDS:
        raise ExportError(f"unknown export kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    suffix = Path(dest).suffix.lower()
    fmt = SUFFIXES.get(suffix)
    if fmt not in ALLOWED[kind]:
        wanted = " or ".join(s for s, f in SUFFIXES.items() if f in ALLOWED[kind])
        raise ExportError(f"{kind} export cannot write a {suffix or 'suffix-less'} file", location=str(dest),
                          hint=f"name the destination with {wanted}")
    return fmt


def present_fields(con: duckdb.DuckDBPyConnection, where: str = "", params: dict | None = None) -> LogFormat:
    """The fields that hold a value in at least one exported record, in the field table's order."""
    counts = ", ".join(f"count({quote(f.column)})" for f in FIELDS)
    row = con.execute(f"SELECT {counts} FROM flows{where}", params or {}).fetchone()
    fields = tuple(f for f, n in zip(FIELDS, row, strict=True) if n)
    return LogFormat(fields or LogFormat.parse("default").fields)


def export_sql(kind: str, fmt: str, *, where: str = "", columns: LogFormat | None = None, seed: int = 0) -> str:
    """The SELECT whose rows are the exported records (before COPY wraps it)."""
    if kind in ("ocsf", "ecs"):
        schema = ocsf if kind == "ocsf" else ecs
        select = (f"SELECT {schema.select(json_times=fmt == 'json', seed=seed)}\n"
                  f"FROM (SELECT {schema.inner_select()} FROM flows{where})")
        # JSON lines leave out absent attributes rather than writing nulls, as both schemas expect
        return f"SELECT json_strip_nulls(to_json(_doc)) FROM ({select}) AS _doc" if fmt == "json" else select
    cols = ", ".join(f"{quote(f.column)}::{f.duckdb_type} AS {quote(f.column)}" for f in columns.fields)
    return f"SELECT {cols} FROM flows{where}"


def export(con: duckdb.DuckDBPyConnection | object, kind: str, dest: str | Path, since: datetime | int | None = None,
           until: datetime | int | None = None, *, log_format: LogFormat | str | None = None, seed: int = 0,
           progress: Callable[[float], None] | None = None) -> ExportResult:
    """Write the store's records (start in [since, until)) to DEST as `kind`; returns what was written.

    kind: ocsf | ecs (JSON lines for .jsonl/.json, Parquet for .parquet), parquet | csv (flat, AWS column names;
    log_format picks the columns, default: every field with a value). progress gets 0.0..1.0 while it runs.
    """
    con = getattr(con, "con", con)
    fmt = file_format(kind, dest)
    where, params = window_sql(since, until)
    columns = None
    if kind in ("parquet", "csv"):
        columns = LogFormat.parse(log_format) if isinstance(log_format, str) else log_format
        columns = columns or present_fields(con, where, params)
    select = export_sql(kind, fmt, where=where, columns=columns, seed=seed)
    dest = str(Path(dest).absolute())  # the COPY may run in the process holding the store, elsewhere
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    options = COPY_OPTIONS["json_documents" if fmt == "json" and kind in ("ocsf", "ecs") else fmt]
    sql = f"COPY ({select}) TO $dest ({options})"
    partial = f"{dest}.partial-{os.getpid()}"
    began = time.perf_counter()
    try:
        records = _run_with_progress(con, sql, {**params, "dest": partial}, progress)
        os.replace(partial, dest)
    except duckdb.IOException as exc:
        raise ExportError(f"cannot write: {exc}", location=dest, hint="check the directory and permissions") from exc
    finally:
        Path(partial).unlink(missing_ok=True)
    return ExportResult(kind, dest, fmt, records, time.perf_counter() - began)


def _run_with_progress(con: duckdb.DuckDBPyConnection, sql: str, params: dict,
                       progress: Callable[[float], None] | None) -> int:
    """Run a COPY in this thread (so Ctrl-C interrupts DuckDB); a poller thread reports its progress (0..1)."""
    finished = threading.Event()

    def poll() -> None:
        while not finished.wait(0.2):
            done = con.query_progress()
            if done is not None and done >= 0:
                progress(min(done / 100.0, 1.0))

    poller = threading.Thread(target=poll, name="vpcflow-export-progress", daemon=True)
    if progress is not None:
        # DuckDB tracks a query's progress only with its progress bar on; its own printing stays off
        con.execute("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
        poller.start()
    try:
        records = _records(con.execute(sql, params))
    except RuntimeError as exc:
        if str(exc) == "Query interrupted":  # DuckDB takes Ctrl-C during a query and says so this way
            raise KeyboardInterrupt from exc
        raise
    finally:
        finished.set()
        if poller.is_alive():
            poller.join()
    if progress is not None:
        progress(1.0)
    return records


def _records(result: duckdb.DuckDBPyConnection) -> int:
    row = result.fetchone()
    return int(row[0]) if row else 0
