"""The holder's side of one writer, many readers: sessions for other processes' reads, and their ingests.

Listens on 127.0.0.1 only and answers only a peer that sends the token from the 0600 file beside the store. Each
session is a DuckDB cursor of its own; a read-only one is one transaction (a snapshot), rolled back at its end.
Ingests run one at a time with the holder's own (the followers'), under `write_lock`, through Store.ingest: the
same exactly-once path, so a source handed over twice, or also followed, is stored once.
"""

from __future__ import annotations

import hmac
import itertools
import json
import os
import re
import shutil
import socketserver
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import duckdb

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..sources.base import Source
from ..sources.layouts import parse_key
from ..store import holder
from ..store.ingest import IngestResult, SourceResult
from ..store.store import Store

# What a read-only session may run. It is one transaction rolled back at its end, so nothing it does reaches the
# store (an analysis's own tables and views live as long as the session); changing records is refused outright.
READ_ONLY_TYPES = {"SELECT", "EXPLAIN", "PRAGMA", "SET", "VARIABLE_SET", "RESET", "DROP", "COPY", "CREATE"}
COPY_FROM = re.compile(r"\s*COPY\s+[^(\s]+\s+FROM\s", re.IGNORECASE)
PERSISTENT_CREATE = re.compile(r"(\s*CREATE\s+(?:OR\s+REPLACE\s+)?)(TABLE|VIEW|SEQUENCE)\s+(IF\s+NOT\s+EXISTS\s+)?"
                               r"([\w\".]+)", re.IGNORECASE)
CHANGE = re.compile(r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+([\w\".]+)", re.IGNORECASE)
DROP = re.compile(r"\s*DROP\s+(?:TABLE|VIEW|SEQUENCE)\s+(IF\s+EXISTS\s+)?([\w\".]+)", re.IGNORECASE)


class HolderServer:
    """Publishes `<db>.holder.json` and serves other processes' sessions and ingests until close()."""

    def __init__(self, store: Store, write_lock: threading.RLock | None = None,
                 on_ingest: Callable[[IngestResult], None] | None = None):
        if store.remote or store.read_only:
            raise VpcFlowError(f"{store.path} is not open for writing in this process")
        self.store = store
        self.write_lock = write_lock or threading.RLock()
        self.on_ingest = on_ingest  # the holder's detections look at what was handed over too
        with self.write_lock:
            _make_tables(store.con)
        self._root = store.con.cursor()  # sessions' cursors come from here, never from the writer's connection
        self._root_lock = threading.Lock()
        self.sessions: dict[int, duckdb.DuckDBPyConnection] = {}
        self._ids = itertools.count(1)
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                server._handle(self.request)

        self.tcp = socketserver.ThreadingTCPServer((holder.LOOPBACK, 0), Handler, bind_and_activate=True)
        self.tcp.daemon_threads = True
        self.port = self.tcp.server_address[1]
        self.token = holder.publish(store.path, self.port)
        self._thread = threading.Thread(target=self.tcp.serve_forever, name="vpcflow-holder", daemon=True)
        self._thread.start()

    def close(self) -> None:
        holder.withdraw(self.store.path)
        self.tcp.shutdown()
        self.tcp.server_close()
        for cur in list(self.sessions.values()):
            cur.interrupt()
        with self._root_lock:
            self._root.close()

    # ---- reading, here and for others
    @contextmanager
    def reader(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A snapshot of whole sources on a cursor of its own (the dashboard's requests use this too)."""
        cur = self.cursor(read_only=True)
        try:
            yield cur
        finally:
            cur.close()

    def cursor(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        with self._root_lock:
            cur = self._root.cursor()
        if read_only:
            cur.execute("BEGIN TRANSACTION")  # not READ ONLY: analyses make temporary views and tables
        return cur  # `flows` itself shows whole sources only (store/schema.py), here as everywhere

    # ---- the wire
    def _handle(self, sock) -> None:
        try:
            first = holder.receive_json(sock)
        except (ConnectionError, OSError, ValueError):
            return
        if not hmac.compare_digest(str(first.get("token", "")).encode(), self.token.encode()):
            holder.send_json(sock, {"ok": False, "error": "wrong token for this store's holder",
                                    "hint": "use the token file named in the .holder.json beside the store"})
            return
        try:
            op = first.get("op")
            if op == "session":
                self._session(sock, bool(first.get("read_only")))
            elif op == "interrupt":
                cur = self.sessions.get(first.get("session"))
                if cur is not None:
                    cur.interrupt()
                holder.send_json(sock, {"ok": True})
            elif op == "ingest":
                self._ingest(sock, first.get("format"))
            else:
                holder.send_json(sock, {"ok": False, "error": f"unknown operation {op!r}"})
        except (ConnectionError, OSError):
            return  # the other process went away; its cursor and spooled bytes are dropped with it

    def _session(self, sock, read_only: bool) -> None:
        cur = self.cursor(read_only)
        session = next(self._ids)
        self.sessions[session] = cur
        try:
            holder.send_json(sock, {"ok": True, "session": session, "pid": os.getpid()})
            while True:
                body = holder.receive_json(sock)
                op = body.get("op")
                if op == "close":
                    return
                table = holder.receive_arrow(sock) if op == "register" else None
                try:
                    result = self._run(cur, op, body, table, read_only)
                except duckdb.Error as exc:
                    holder.send_json(sock, {"ok": False, "type": type(exc).__name__, "error": str(exc)})
                    continue
                except VpcFlowError as exc:
                    holder.send_json(sock, {"ok": False, "type": type(exc).__name__, "error": exc.message,
                                            "location": exc.location, "hint": exc.hint})
                    continue
                if result is None:
                    holder.send_json(sock, {"ok": True})
                else:  # in batches, so a large result is never whole in this process
                    holder.send_json(sock, {"ok": True, "arrow": True, "types": [str(t) for t in result.types]})
                    holder.send_batches(sock, result.to_arrow_reader(holder.BATCH_ROWS))
        finally:
            self.sessions.pop(session, None)
            cur.close()

    def _run(self, cur: duckdb.DuckDBPyConnection, op: str, body: dict, table, read_only: bool):
        params = holder.decode(body.get("params"))
        if op == "execute":  # DuckDB runs any statement here once, and answers with a relation
            if not read_only:  # a write takes its turn with the ingests, so their checkpoint never meets it
                with self.write_lock:
                    return cur.sql(body["sql"], params=params or None)
            sql = _read_only(cur, body["sql"])
            return cur.sql(sql, params=params or None) if sql else None
        if op == "executemany":
            if read_only:
                raise duckdb.InvalidInputException("Cannot write to a store opened read-only")
            with self.write_lock:
                cur.executemany(body["sql"], params)
            return None
        if op == "register":
            cur.register(body["name"], table)
            return None
        if op == "unregister":
            cur.unregister(body["name"])
            return None
        raise VpcFlowError(f"unknown session operation {op!r}")

    def _ingest(self, sock, format: str | None) -> None:
        spool = tempfile.mkdtemp(prefix="vpcflow-handed-")
        try:
            sources, failed = self._receive_sources(sock, spool)

            def progress(source: str, records: int, raw_bytes: int) -> None:
                holder.send_json(sock, {"ok": True, "progress": [source, records, raw_bytes]})

            with self.write_lock:
                result = self.store.ingest(sources, format=LogFormat.parse(format) if format else None,
                                           progress=progress)
            for f in failed:
                result.add(f)
            if self.on_ingest is not None and result.sources:
                self.on_ingest(result)
            details = [{"source": d.source, "records": d.records, "quarantined": d.quarantined,
                        "status": d.status, "message": d.message, "source_id": d.source_id} for d in result.details]
            holder.send_json(sock, {"ok": True, "details": details, "seconds": result.seconds})
        finally:
            shutil.rmtree(spool, ignore_errors=True)

    def _receive_sources(self, sock, spool: str):
        sources: list[Source] = []
        failed: list[SourceResult] = []
        n = 0
        while not (body := holder.receive_json(sock)).get("run"):
            n += 1
            meta = body["source"]
            path = meta["local_path"]
            if path is None:
                path = os.path.join(spool, str(n))
                with open(path, "wb") as out:
                    while True:
                        kind, payload = holder.receive(sock)
                        if kind == b"J":  # the sender could not read it
                            failed.append(SourceResult(meta["identity"], status="failed",
                                                       message=json.loads(payload)["failed"]))
                            path = None
                            break
                        if not payload:
                            break
                        out.write(payload)
            if path is not None:
                sources.append(_source(meta, path))
        return sources, failed


def _make_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The tables analyses make on first use, made now: a reader that made one would be a writer."""
    from ..detect.engine import ensure_tables
    from ..engines.engine import DuckDBEngine

    DuckDBEngine(con)
    ensure_tables(con)


def _read_only(cur: duckdb.DuckDBPyConnection, sql: str) -> str | None:
    """The statements a read-only session may run, as they run there; None when nothing is left to run.

    An analysis that makes its tables makes them temporary here; one already in the store is left alone. A
    persistent CREATE or DROP, even a no-op, would make the snapshot a write transaction, and DuckDB refuses
    to checkpoint the holder's ingest beside one."""
    out = []
    for statement in cur.extract_statements(sql):
        kind, text = statement.type.name, str(statement.query).strip().rstrip(";")
        changed = CHANGE.match(text) if kind in ("INSERT", "UPDATE", "DELETE") else None
        if changed and _exists(cur, changed.group(1), temporary=True):
            out.append(text)  # rows of a temporary table of this session's own
            continue
        if kind not in READ_ONLY_TYPES or (kind == "COPY" and COPY_FROM.match(text)):
            raise duckdb.InvalidInputException(f"Cannot run {kind} on a store opened read-only")
        made, dropped = PERSISTENT_CREATE.match(text), DROP.match(text)
        if made:
            if made.group(3) and _exists(cur, made.group(4)):
                continue  # the store has it already
            text = f"{made.group(1)}TEMP {text[made.start(2):]}"
        elif dropped and not _exists(cur, dropped.group(2), temporary=True):
            if dropped.group(1):
                continue  # IF EXISTS, and no temporary one exists: nothing of this session's to drop
            raise duckdb.InvalidInputException("Cannot DROP from a store opened read-only")
        out.append(text)
    return ";\n".join(out) or None


def _exists(cur: duckdb.DuckDBPyConnection, name: str, temporary: bool = False) -> bool:
    """A table, view or sequence of this name (only a temporary one, when asked); `temp.main.name` too."""
    name = name.strip('"').split(".")[-1].strip('"')
    return bool(cur.execute(
        "SELECT 1 FROM (SELECT table_name AS name, temporary FROM duckdb_tables() UNION ALL "
        "SELECT view_name, temporary FROM duckdb_views() UNION ALL SELECT sequence_name, temporary "
        "FROM duckdb_sequences()) WHERE lower(name) = lower(?) AND (temporary OR NOT ?)", [name, temporary]).fetchall())


def _source(meta: dict, path: str) -> Source:
    fmt = meta.get("format")
    return Source(identity=meta["identity"], opener=lambda: open(path, "rb"), size=meta.get("size"),
                  version=meta.get("version"), kind=meta["kind"], log_stream=meta.get("log_stream"),
                  format=LogFormat.parse(fmt) if fmt else None, key=parse_key(meta["identity"]),
                  local_path=path if meta["local_path"] or meta["kind"] != "text" else None,
                  first_line=meta.get("first_line") or 1, whole=bool(meta.get("whole")))
