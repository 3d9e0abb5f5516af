"""Follow mode: keep taking in new sources, evaluate the rules on them, and notify; exactly once across crashes.

Each new source is ingested in its own transaction, and inside it (just before COMMIT) the watcher feeds the
source's records to the alert engine, moves the alarms to the newest record's `end`, and writes its checkpoint
(the engine's whole state) and the notifications owed to the outbox. A `kill -9` anywhere therefore leaves
either all of that or none of it. After each commit the outbox is sent and marked; on start, whatever an
earlier run committed but did not mark is sent first.

Periods are closed by the data, not the wall clock: a period is evaluated once a record ending at or after its
end has been taken in, so the same sources in the same order always give the same alarms and notifications.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..errors import VpcFlowError
from ..fields import LogFormat
from ..sources.base import Source
from ..store.ingest import SourceResult
from ..store.store import Store
from ..timeutil import iso
from . import checkpoint
from .alarms import StateChange
from .engine import AlertEngine
from .follow import Follower
from .notify import QueueingDispatcher, build_notifier
from .rules import Rules
from .sql import line_of


@dataclass
class WatchStatus:
    """One poll: what was taken in, what is still waiting, and how far behind the newest record it is."""

    watcher: str
    ingested: int = 0
    records: int = 0
    pending: int = 0  # new sources seen but not taken in yet (a stop came first)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, why), each reported once
    watermark: int | None = None  # the newest record `end` taken in (unix seconds)
    lag: float | None = None  # seconds from that record's end to now
    notified: int = 0
    notify_failed: int = 0
    changes: list[StateChange] = field(default_factory=list)

    def line(self) -> str:
        newest = "no records yet" if self.watermark is None else f"newest record end {iso(self.watermark)}"
        lag = "" if self.lag is None else f", lag {self.lag:.1f}s"
        failed = f", {len(self.failed)} failed" if self.failed else ""
        sent = f", {self.notified} notification(s) sent" if self.notified else ""
        return (f"watch: {self.ingested} source(s) in ({self.records} records), {self.pending} pending{failed}; "
                f"{newest}{lag}{sent}")

    def as_dict(self) -> dict:
        return {
            "watcher": self.watcher, "ingested": self.ingested, "records": self.records, "pending": self.pending,
            "failed": [{"source": s, "error": why} for s, why in self.failed], "watermark": self.watermark, "lag_seconds": self.lag,
            "notified": self.notified, "notify_failed": self.notify_failed,
            "changes": [c.as_dict() for c in self.changes],
        }


class Watcher:
    """Follows one source for one rules file, with its checkpoint and outbox in the store."""

    def __init__(self, store: Store, follower: Follower, rules: Rules, *, name: str | None = None,
                 base: Path | None = None, format: LogFormat | None = None,
                 on_source: Callable[[SourceResult], None] | None = None):
        self.store, self.con = store, store.con
        self.follower, self.rules, self.format, self.on_source = follower, rules, format, on_source
        self.name = name or follower.target
        self.notifiers = {n.name: build_notifier(n, base) for n in rules.notifiers}
        self.stop = threading.Event()
        self.failed: dict[tuple[str, str | None], str] = {}  # left alone until the source changes or a restart
        self.skipped: set[tuple[str, str | None]] = set()
        self.unlisted: set[tuple[str, str]] = set()  # what the follower could not list (a FIFO, a broken link)
        checkpoint.create_tables(self.con)
        self.ledger = {(i, r) for i, r in self.con.execute("SELECT identity, revision FROM sources").fetchall()}
        self._load()
        self.flush()  # what an earlier run committed but did not get to send

    def _load(self) -> None:
        self.cp = checkpoint.load(self.con, self.name, self.follower.target)
        self.dispatcher = QueueingDispatcher(self.notifiers, self.rules.cooldown)
        self.engine = AlertEngine(self.rules, self.dispatcher)
        self.reset_alarms = self.engine.restore(self.cp.engine) if self.cp.engine else []
        self._changes: list[StateChange] = []
        self._dirty = False

    # ---- one source, inside its transaction ---------------------------------------------------------------

    def _take(self, con: duckdb.DuckDBPyConnection, src: Source, done: SourceResult) -> None:
        self._dirty = True  # the engine moves ahead of the store until this transaction commits
        source_id = con.execute("SELECT max(source_id) FROM sources WHERE identity = ?", [src.identity]).fetchall()[0][0]
        fmt = self.rules.format
        cursor = con.execute(f'SELECT {line_of(fmt)}, "start", "end" FROM flows WHERE source_id = ?', [source_id])
        newest, now = self.cp.watermark, time.time()
        while rows := cursor.fetchmany(10_000):
            for message, start, end in rows:
                self.engine.observe(message, now)
                t = end if end is not None else start
                if t is not None and (newest is None or t > newest):
                    newest = t
        self.cp.watermark = newest
        if newest is not None:
            self._changes += [c for c, _ in self.engine.advance(newest)]
            longest = max((r.period for r in self.rules.contributors), default=0)
            self.engine.forget_contributors_before(newest - longest)
        queued, self.dispatcher.queued = self.dispatcher.queued, []
        checkpoint.enqueue(con, self.name, queued)
        self.cp.position = src.identity
        self.cp.sources += 1
        self.cp.records += done.records
        self.cp.engine = self.engine.snapshot()
        checkpoint.save(con, self.cp)

    # ---- polling --------------------------------------------------------------------------------------------

    def _known(self, identity: str, version: str | None) -> bool:
        key = (identity, version)
        return key in self.ledger or key in self.skipped or key in self.failed

    def poll(self) -> WatchStatus:
        """Take in every new source (stopping early when asked to), sending notifications after each."""
        status = WatchStatus(self.name)
        count, sources = self.follower.poll(self._known, self.ledger)
        status.pending = count
        for error in self.follower.errors:
            unlisted = (error.location or self.follower.target, error.message)
            if unlisted not in self.unlisted:
                self.unlisted.add(unlisted)
                status.failed.append(unlisted)
                if self.on_source is not None:
                    self.on_source(SourceResult(unlisted[0], status="failed", message=error.message))
        for src in sources:
            if self.stop.is_set():
                break
            result = self.store.ingest(src, format=self.format, before_commit=self._take)
            status.pending -= 1
            detail = result.details[0] if result.details else SourceResult(src.identity, status="failed")
            key = (src.identity, src.version)
            if detail.status == "ingested":
                self.ledger.add(key)
                self._dirty = False
                status.ingested += 1
                status.records += detail.records
            elif detail.status == "skipped":
                self.skipped.add(key)
            else:
                self.failed[key] = detail.message or "failed"
                status.failed.append((src.identity, self.failed[key]))
            if self._dirty:  # rolled back after the engine had moved: take the committed state back
                self._load()
            if self.on_source is not None:
                self.on_source(detail)
            sent, failed = self._flush()
            status.notified += sent
            status.notify_failed += failed
        if not status.ingested and not status.failed:  # an idle poll retries earlier failures
            sent, failed = self._flush()
            status.notified += sent
            status.notify_failed += failed
        status.changes, self._changes = self._changes, []
        status.watermark = self.cp.watermark
        status.lag = None if self.cp.watermark is None else max(0.0, time.time() - self.cp.watermark)
        return status

    def flush(self) -> int:
        """Send the outbox; returns how many notifications went out."""
        return self._flush()[0]

    def _flush(self) -> tuple[int, int]:
        sent = failed = 0
        for item in checkpoint.pending(self.con, self.name):
            notifier = self.notifiers.get(item.notifier)
            error = None
            if notifier is None:
                error = f"no notifier named {item.notifier!r} in the rules any more"
            else:
                try:
                    notifier.send(item.payload)
                except VpcFlowError as exc:
                    error = str(exc)
            checkpoint.mark(self.con, self.name, item, error)
            sent += error is None
            failed += error is not None
        return sent, failed

    # ---- running --------------------------------------------------------------------------------------------

    def run(self, interval: float = 1.0, *, once: bool = False,
            report: Callable[[WatchStatus], None] | None = None) -> WatchStatus:
        """Poll every `interval` seconds until SIGINT or SIGTERM (or, with `once`, until caught up).

        A signal lets the source being taken in finish and commit, then stops; the caller exits 0.
        """
        previous = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, lambda *_: self.stop.set())
        try:
            while True:
                status = self.poll()
                if report is not None:
                    report(status)
                if self.stop.is_set() or (once and status.pending == 0):
                    return status
                self.stop.wait(interval)
                if self.stop.is_set():
                    return status
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def outbox(self) -> dict[str, int]:
        return checkpoint.outbox_counts(self.con, self.name)

    def states(self) -> dict[str, str]:
        return self.engine.states_now()
