"""A store reached through the process that holds it: a connection-like object, so every analysis runs unchanged.

`RemoteConnection` answers the part of DuckDB's connection that vpcflow's analyses use (execute, sql, executemany,
register, cursor, extract_statements, fetch*, to_arrow_*): each statement runs in the holder on a cursor of this
session's own, and the result comes back as Arrow. A read-only session is one transaction, so every
statement of a command sees the same snapshot. `ingest` hands sources to the holder, which stores them through
its own exactly-once path and answers with the IngestResult.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterable

import duckdb
import pyarrow as pa

from ..errors import QueryError, StoreError, VpcFlowError
from ..fields import LogFormat
from ..sources.base import Source
from . import holder
from .ingest import IngestResult, Progress, SourceResult

CHUNK = 1 << 20  # bytes of a streamed source per frame
BATCH_BYTES = 256 << 20  # a batch of streamed sources is spooled by the holder, then stored in one go
BATCH_SOURCES = 512
_INTEGERS = {"HUGEINT", "UHUGEINT"}  # Arrow carries them as decimal(38, 0); DuckDB's fetchall gives int


class RemoteResult:
    """One statement's result, held as Arrow; read like a DuckDB result or relation."""

    def __init__(self, table: pa.Table, types: list[str]):
        self.table, self.types = table, types
        self._rows: list[tuple] | None = None
        self._at = 0

    @property
    def description(self) -> list[tuple]:
        return [(name, kind, None, None, None, None, None) for name, kind in zip(self.table.column_names, self.types, strict=True)]

    @property
    def columns(self) -> list[str]:
        return self.table.column_names

    def _all_rows(self) -> list[tuple]:
        if self._rows is None:
            cols = []
            for column, kind in zip(self.table.columns, self.types, strict=True):
                values = column.to_pylist()
                cols.append([None if v is None else int(v) for v in values] if kind in _INTEGERS else values)
            self._rows = list(zip(*cols, strict=True)) if cols else []
        return self._rows

    def fetchall(self) -> list[tuple]:
        rows = self._all_rows()[self._at:]
        self._at += len(rows)
        return rows

    def fetchmany(self, size: int = 1) -> list[tuple]:
        rows = self._all_rows()[self._at:self._at + size]
        self._at += len(rows)
        return rows

    def fetchone(self) -> tuple | None:
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def to_arrow_table(self) -> pa.Table:
        return self.table

    arrow = fetch_arrow_table = to_arrow_table

    def to_arrow_reader(self, batch_size: int = 1_000_000) -> pa.RecordBatchReader:
        return self.table.to_reader(max_chunksize=batch_size)

    def df(self):
        return self.table.to_pandas()

    fetchdf = df

    def pl(self):
        import polars

        return polars.from_arrow(self.table)


class RemoteConnection:
    """One session with the holder: a DuckDB cursor of its own there, closed with this object."""

    def __init__(self, note: holder.HolderNote, *, read_only: bool = False):
        self.note, self.read_only = note, read_only
        self._lock = threading.Lock()
        self._last: RemoteResult | None = None
        self._parser: duckdb.DuckDBPyConnection | None = None
        self._sock = self._open({"op": "session", "read_only": read_only})
        self.session = self._reply()["session"]

    def _open(self, body: dict) -> socket.socket:
        try:
            sock = socket.create_connection((holder.LOOPBACK, self.note.port), timeout=None)
            holder.send_json(sock, {**body, "token": self.note.token()})
        except OSError as exc:
            raise StoreError(f"cannot reach the process holding {self.note.db} (pid {self.note.pid}): {exc}",
                             hint="is `vpcflow serve` still running? stop it, or wait for it to start") from exc
        return sock

    def _reply(self, sock: socket.socket | None = None) -> dict:
        try:
            body = holder.receive_json(sock or self._sock)
        except (ConnectionError, OSError) as exc:
            raise StoreError(f"the process holding {self.note.db} (pid {self.note.pid}) went away: {exc}",
                             hint="run the command again") from exc
        if not body.get("ok"):
            raise _error(body)
        return body

    def _call(self, body: dict, table: pa.Table | None = None) -> RemoteResult:
        with self._lock:
            try:
                holder.send_json(self._sock, body)
                if table is not None:
                    holder.send_arrow(self._sock, table)
            except OSError as exc:
                raise StoreError(f"the process holding {self.note.db} went away: {exc}",
                                 hint="run the command again") from exc
            reply = self._reply()
            result = holder.receive_batches(self._sock) if reply.get("arrow") else pa.table({})
        self._last = RemoteResult(result, reply.get("types", []))
        return self._last

    # ---- DuckDB's connection, as far as vpcflow uses it
    def execute(self, query: str, parameters=None) -> RemoteResult:
        return self._call({"op": "execute", "sql": query, "params": holder.encode(parameters)})

    def sql(self, query: str, params=None) -> RemoteResult:
        return self.execute(query, params)

    query = sql

    def executemany(self, query: str, parameters: Iterable = ()) -> RemoteResult:
        return self._call({"op": "executemany", "sql": query, "params": holder.encode(list(parameters))})

    def register(self, name: str, data) -> RemoteConnection:
        table = data if isinstance(data, pa.Table) else pa.Table.from_pandas(data)
        self._call({"op": "register", "name": name}, table)
        return self

    def unregister(self, name: str) -> RemoteConnection:
        self._call({"op": "unregister", "name": name})
        return self

    def cursor(self) -> RemoteConnection:
        return RemoteConnection(self.note, read_only=self.read_only)

    def extract_statements(self, query: str):
        if self._parser is None:  # parsing needs no data: an in-memory DuckDB of this process does it
            self._parser = duckdb.connect(":memory:")
        return self._parser.extract_statements(query)

    def interrupt(self) -> None:
        sock = self._open({"op": "interrupt", "session": self.session})
        with sock:
            self._reply(sock)

    def query_progress(self) -> float:
        return -1.0  # the holder runs the statement; its progress is not carried over

    def begin(self) -> RemoteConnection:
        self.execute("BEGIN TRANSACTION")
        return self

    def commit(self) -> RemoteConnection:
        self.execute("COMMIT")
        return self

    def rollback(self) -> RemoteConnection:
        self.execute("ROLLBACK")
        return self

    def fetchall(self) -> list[tuple]:
        return self._last.fetchall() if self._last else []

    def fetchone(self) -> tuple | None:
        return self._last.fetchone() if self._last else None

    def fetchmany(self, size: int = 1) -> list[tuple]:
        return self._last.fetchmany(size) if self._last else []

    @property
    def description(self):
        return self._last.description if self._last else None

    def close(self) -> None:
        with self._lock:
            try:
                holder.send_json(self._sock, {"op": "close"})
            except OSError:
                pass  # the holder has gone already: nothing is left open there
            self._sock.close()
        if self._parser is not None:
            self._parser.close()

    # ---- writing: handed to the holder
    def ingest(self, sources: Iterable[Source], *, format: LogFormat | None = None,
               progress: Progress | None = None) -> IngestResult:
        """Send the sources to the holder in batches; it stores each exactly once and says what it did."""
        result = IngestResult()
        batch: list[Source] = []
        size = 0
        for src in sources:
            batch.append(src)
            size += 0 if src.local_path else (src.size or CHUNK)
            if len(batch) >= BATCH_SOURCES or size >= BATCH_BYTES:
                self._ingest_batch(batch, format, progress, result)
                batch, size = [], 0
        if batch:
            self._ingest_batch(batch, format, progress, result)
        return result

    def _ingest_batch(self, batch: list[Source], format: LogFormat | None, progress: Progress | None,
                      result: IngestResult) -> None:
        sock = self._open({"op": "ingest", "format": format.log_format() if format else None})
        with sock:
            try:
                for src in batch:
                    _send_source(sock, src)
                holder.send_json(sock, {"run": True})
            except OSError as exc:
                raise StoreError(f"the process holding {self.note.db} went away: {exc}",
                                 hint="run the command again: what it stored is in its ledger") from exc
            while True:
                body = self._reply(sock)
                if "progress" in body:
                    if progress is not None:
                        progress(*body["progress"])
                    continue
                for d in body["details"]:
                    result.add(SourceResult(**d))
                result.seconds += body["seconds"]
                return


def _send_source(sock: socket.socket, src: Source) -> None:
    """A local file goes as its path (the holder reads it); anything else as its bytes."""
    meta = {"identity": src.identity, "size": src.size, "version": src.version, "kind": src.kind,
            "log_stream": src.log_stream, "format": src.format.log_format() if src.format else None,
            "first_line": src.first_line, "local_path": src.local_path, "whole": src.whole}
    holder.send_json(sock, {"source": meta})
    if src.local_path:
        return
    try:
        with src.opener() as raw:
            while chunk := raw.read(CHUNK):
                holder.send(sock, b"B", chunk)
    except (VpcFlowError, OSError) as exc:  # the holder records it as this source's failure
        holder.send_json(sock, {"failed": str(exc) if isinstance(exc, VpcFlowError) else f"{src.identity}: cannot "
                                f"read: {getattr(exc, 'strerror', None) or exc}"})
        return
    holder.send(sock, b"B", b"")


def _error(body: dict) -> Exception:
    """The holder's error as the same exception type the local store raises."""
    kind = body.get("type", "")
    cls = getattr(duckdb, kind, None)
    if isinstance(cls, type) and issubclass(cls, duckdb.Error):
        return cls(body.get("error", ""))
    if kind == "QueryError":
        return QueryError(body.get("error", ""), location=body.get("location"), hint=body.get("hint"))
    return holder.refused(body)
