"""One writer, many readers: how a process that holds a store tells the others where to reach it.

DuckDB lets one process write a file. The process that holds a store (`vpcflow serve`) writes `<db>.holder.json`
beside it: its pid and a port on 127.0.0.1, and the path of a token file only its user can read. Every other
`Store(db)` finds it and works through the holder (vpcflow.store.remote) instead of opening the file. The note is
stale once its pid is gone or nothing answers on its port.

The wire between them is frames on one TCP connection: a kind byte (J for JSON, A for Arrow IPC, B for raw bytes,
E for the end of a result) and an 8-byte length; a result is a run of Arrow frames ended by an E frame. Query
parameters travel as JSON with a tag for the values JSON has no type for.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import struct
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa

from ..errors import StoreError

LOOPBACK = "127.0.0.1"
_HEADER = struct.Struct(">cQ")
MAX_FRAME = 1 << 34  # 16 GiB: a guard against a peer that is not speaking this protocol
BATCH_ROWS = 100_000  # rows of a result per frame


@dataclass(frozen=True)
class HolderNote:
    """What `<db>.holder.json` says."""

    db: str
    pid: int
    port: int
    token_file: str

    def token(self) -> str:
        return Path(self.token_file).read_text().strip()


def note_path(db: str | Path) -> Path:
    return Path(f"{Path(db).resolve()}.holder.json")


def publish(db: str | Path, port: int) -> str:
    """Write the note and a fresh token (mode 0600) for this process; returns the token."""
    token = secrets.token_urlsafe(32)
    path = note_path(db)
    token_file = Path(f"{path.with_suffix('')}.token")
    fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(token)
    os.chmod(token_file, 0o600)  # an existing file keeps its mode through O_CREAT
    body = {"db": str(Path(db).resolve()), "pid": os.getpid(), "port": port, "token_file": str(token_file)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(body))
    os.replace(tmp, path)  # a reader sees the whole note or none
    return token


def withdraw(db: str | Path) -> None:
    """Remove this process's note and token (another process's note is left alone)."""
    note = read_note(db)
    if note is None or note.pid != os.getpid():
        return
    for p in (note_path(db), Path(note.token_file)):
        p.unlink(missing_ok=True)


def read_note(db: str | Path) -> HolderNote | None:
    try:
        body = json.loads(note_path(db).read_text())
        return HolderNote(str(body["db"]), int(body["pid"]), int(body["port"]), str(body["token_file"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def live_holder(db: str | Path) -> HolderNote | None:
    """The holder of this store when one is running in another process; a stale note is removed."""
    if str(db) == ":memory:":
        return None
    note = read_note(db)
    if note is None or note.pid == os.getpid():
        return None
    if _alive(note.pid) and _answers(note.port):
        return note
    if not _alive(note.pid):  # the holder died without withdrawing (kill -9): its note says nothing now
        for p in (note_path(db), Path(note.token_file)):
            p.unlink(missing_ok=True)
    return None


def wait_for_holder(db: str | Path, seconds: float = 10.0) -> HolderNote | None:
    """The holder of a store whose file is locked: one that is starting publishes its note within seconds."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        note = live_holder(db)
        if note is not None:
            return note
        time.sleep(0.2)
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, though not ours to signal
    return True


def _answers(port: int) -> bool:
    try:
        with socket.create_connection((LOOPBACK, port), timeout=2):
            return True
    except OSError:
        return False


# ---- frames ---------------------------------------------------------------------------------------------


def send(sock: socket.socket, kind: bytes, payload: bytes) -> None:
    header = _HEADER.pack(kind, len(payload))
    if len(payload) < 65536:  # one segment for the small frames most requests are
        sock.sendall(header + payload)
    else:
        sock.sendall(header)
        sock.sendall(payload)


def send_json(sock: socket.socket, body: dict) -> None:
    send(sock, b"J", json.dumps(body).encode())


def send_arrow(sock: socket.socket, table: pa.Table) -> None:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    send(sock, b"A", sink.getvalue().to_pybytes())


def send_batches(sock: socket.socket, reader: pa.RecordBatchReader) -> None:
    """A result as Arrow frames of at most BATCH_ROWS rows (the first holds only the schema), then an E frame."""
    send_arrow(sock, reader.schema.empty_table())
    for batch in reader:
        send_arrow(sock, pa.Table.from_batches([batch]))
    send(sock, b"E", b"")


def receive_batches(sock: socket.socket) -> pa.Table:
    tables = []
    while (frame := receive(sock))[0] != b"E":
        if frame[0] != b"A":
            raise ConnectionError(f"expected an Arrow frame, got {frame[0]!r}")
        tables.append(pa.ipc.open_stream(frame[1]).read_all())
    return pa.concat_tables(tables)


def receive(sock: socket.socket) -> tuple[bytes, bytes]:
    """The next frame's kind and payload; ConnectionError when the peer has gone."""
    kind, length = _HEADER.unpack(_exactly(sock, _HEADER.size))
    if length > MAX_FRAME:
        raise ConnectionError("frame too large: not a vpcflow holder")
    return kind, _exactly(sock, length)


def receive_json(sock: socket.socket) -> dict:
    kind, payload = receive(sock)
    if kind != b"J":
        raise ConnectionError(f"expected a JSON frame, got {kind!r}")
    return json.loads(payload)


def receive_arrow(sock: socket.socket) -> pa.Table:
    kind, payload = receive(sock)
    if kind != b"A":
        raise ConnectionError(f"expected an Arrow frame, got {kind!r}")
    return pa.ipc.open_stream(payload).read_all()


def _exactly(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:], n - got)
        if not k:
            raise ConnectionError("the holder closed the connection")
        got += k
    return bytes(buf)


# ---- parameters -----------------------------------------------------------------------------------------


def encode(value):
    """Bound parameters as JSON: datetimes, dates, times, decimals and bytes tagged, containers walked."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, dict):
        return {"$dict": {k: encode(v) for k, v in value.items()}}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    return value


def decode(value):
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        (tag, body), = value.items()
        if tag == "$dict":
            return {k: decode(v) for k, v in body.items()}
        return {"$datetime": datetime.fromisoformat, "$date": date.fromisoformat, "$time": time.fromisoformat,
                "$decimal": Decimal, "$bytes": base64.b64decode}[tag](body)
    return value


def refused(body: dict) -> StoreError:
    return StoreError(body.get("error") or "the store's holder refused", hint=body.get("hint"))
