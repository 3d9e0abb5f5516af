"""A follower's durable state in the store: its checkpoint and its outbox of notifications.

Both are written inside the transaction that ingests a source (`Store.ingest(before_commit=...)`), so the
records, the ledger row, the alarm state they lead to and the notifications that state change owes commit
together or not at all. Notifications are sent after the commit and then marked sent (the outbox pattern):
a crash between sending and marking sends again on restart, which the JSON-lines notifier absorbs by id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb

from .alarms import StateChange

DDL = [
    """CREATE TABLE IF NOT EXISTS watch_checkpoints (
  watcher VARCHAR NOT NULL,
  target VARCHAR NOT NULL,
  position VARCHAR,
  sources BIGINT NOT NULL,
  records BIGINT NOT NULL,
  watermark BIGINT,
  engine VARCHAR NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS watch_outbox (
  watcher VARCHAR NOT NULL,
  seq BIGINT NOT NULL,
  id VARCHAR NOT NULL,
  notifier VARCHAR NOT NULL,
  payload VARCHAR NOT NULL,
  status VARCHAR NOT NULL,
  attempts INTEGER NOT NULL,
  error VARCHAR,
  created_at TIMESTAMPTZ NOT NULL,
  sent_at TIMESTAMPTZ
)""",
]

MAX_ATTEMPTS = 5  # a notifier that keeps failing is given up on (status 'failed') after this many polls


@dataclass
class Checkpoint:
    """Where a follower stands: what it has taken in and what its alert engine remembers."""

    watcher: str
    target: str
    position: str | None = None  # the last source taken in (its identity)
    sources: int = 0
    records: int = 0
    watermark: int | None = None  # the newest record `end` taken in: periods ending by it are evaluated
    engine: dict | None = None


@dataclass(frozen=True)
class Pending:
    seq: int
    id: str
    notifier: str
    payload: dict
    attempts: int


def create_tables(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in DDL:
        con.execute(stmt)


def load(con: duckdb.DuckDBPyConnection, watcher: str, target: str) -> Checkpoint:
    rows = con.execute(
        "SELECT target, position, sources, records, watermark, engine FROM watch_checkpoints WHERE watcher = ?",
        [watcher],
    ).fetchall()
    if not rows:
        return Checkpoint(watcher, target)
    saved_target, position, sources, records, watermark, engine = rows[0]
    return Checkpoint(watcher, saved_target, position, sources, records, watermark, json.loads(engine))


def save(con: duckdb.DuckDBPyConnection, cp: Checkpoint) -> None:
    """Replace the follower's checkpoint row; call inside the source's transaction."""
    con.execute("DELETE FROM watch_checkpoints WHERE watcher = ?", [cp.watcher])
    con.execute(
        "INSERT INTO watch_checkpoints VALUES (?, ?, ?, ?, ?, ?, ?, now())",
        [cp.watcher, cp.target, cp.position, cp.sources, cp.records, cp.watermark, json.dumps(cp.engine)],
    )


def notification_id(watcher: str, change: StateChange) -> str:
    """Stable across restarts: an alarm changes state at most once per period end."""
    return f"{watcher}/{change.alarm}/{change.at}/{change.state}"


def enqueue(con: duckdb.DuckDBPyConnection, watcher: str, changes: list[tuple[StateChange, tuple[str, ...]]]) -> int:
    """Write the notifications owed, one row per notifier; call inside the source's transaction."""
    if not changes:
        return 0
    seq = con.execute("SELECT coalesce(max(seq), 0) FROM watch_outbox WHERE watcher = ?", [watcher]).fetchall()[0][0]
    rows = []
    for change, targets in changes:
        ident = notification_id(watcher, change)
        payload = json.dumps({"id": ident, **change.as_dict()}, sort_keys=True)
        for notifier in targets:
            seq += 1
            rows.append([watcher, seq, ident, notifier, payload, "pending", 0])
    con.executemany("INSERT INTO watch_outbox VALUES (?, ?, ?, ?, ?, ?, ?, NULL, now(), NULL)", rows)
    return len(rows)


def pending(con: duckdb.DuckDBPyConnection, watcher: str) -> list[Pending]:
    rows = con.execute(
        "SELECT seq, id, notifier, payload, attempts FROM watch_outbox WHERE watcher = ? AND status = 'pending' "
        "ORDER BY seq",
        [watcher],
    ).fetchall()
    return [Pending(seq, ident, notifier, json.loads(payload), attempts) for seq, ident, notifier, payload, attempts in rows]


def mark(con: duckdb.DuckDBPyConnection, watcher: str, item: Pending, error: str | None) -> str:
    """Record one send: sent, or failed once more (given up after MAX_ATTEMPTS). Returns the new status."""
    if error is None:
        status = "sent"
    else:
        status = "failed" if item.attempts + 1 >= MAX_ATTEMPTS else "pending"
    con.execute(
        "UPDATE watch_outbox SET status = ?, attempts = attempts + 1, error = ?, "
        "sent_at = CASE WHEN ? = 'sent' THEN now() END WHERE watcher = ? AND seq = ?",
        [status, error, status, watcher, item.seq],
    )
    return status


def outbox_counts(con: duckdb.DuckDBPyConnection, watcher: str) -> dict[str, int]:
    rows = con.execute(
        "SELECT status, count(*) FROM watch_outbox WHERE watcher = ? GROUP BY status", [watcher]
    ).fetchall()
    return dict(rows)
