"""The holder at work: follow deliveries into the store, run the detections and alarms on what arrives, and let
the dashboard and other processes read it, all in one process (`vpcflow serve --follow`).

Each followed source is a vpcflow.alert Watcher on a thread of its own: its checkpoint and the notifications it
owes commit with each source's records, so a kill -9 resumes where the ledger says. The writes of every thread,
and the ingests other processes hand over, take turns on the store's one writing connection (`write_lock`).
The detections run on a cursor of their own after new records, at most once per `detect_every` seconds, over the
records that arrived since the last run and the `detect_window` before them.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from ..alert.follow import Follower
from ..alert.rules import Rules, rules_from
from ..alert.watch import Watcher, WatchStatus
from ..cost.kept import keep
from ..errors import VpcFlowError
from ..fields import LogFormat
from ..store.store import Store
from .server import HolderServer

NO_RULES = {"metric_filters": [], "alarms": []}


class _Turns:
    """What a Watcher needs of a store: its own cursor for the outbox, and ingest in turn with the others."""

    def __init__(self, store: Store, lock: threading.RLock, con):
        self._store, self._lock, self.con = store, lock, con
        self.path = store.path

    def ingest(self, *args, **kwargs):
        with self._lock:
            return self._store.ingest(*args, **kwargs)


@dataclass
class FollowedSource:
    """One followed source as the overview shows it."""

    target: str
    started: float = field(default_factory=time.time)
    last_poll: float | None = None
    status: WatchStatus | None = None
    error: str | None = None
    sources: int = 0
    records: int = 0
    notified: int = 0

    def as_dict(self, states: dict[str, str]) -> dict:
        s = self.status
        return {"source": self.target, "sources": self.sources, "records": self.records,
                "pending": s.pending if s else None, "newest_record_end": s.watermark if s else None,
                "lag_seconds": None if s is None or s.lag is None else round(s.lag, 1),
                "last_poll_seconds_ago": None if self.last_poll is None else round(time.time() - self.last_poll, 1),
                "notified": self.notified, "error": self.error, "alarms": states}


class Live:
    """Holds a store: serves other processes, follows sources, detects and alarms. close() stops it all."""

    def __init__(self, db: str | Path, followers: list[Follower] = (), rules: Rules | None = None, *,
                 rules_base: Path | None = None, format: LogFormat | None = None, poll: float = 1.0,
                 detect_every: float = 10.0, detect_window: timedelta = timedelta(hours=1)):
        self.store = Store(db)
        self.write_lock = threading.RLock()
        self.server = HolderServer(self.store, self.write_lock, on_ingest=lambda _: self._arrived())
        self.rules = rules or rules_from(NO_RULES)
        self.poll, self.detect_every, self.detect_window = poll, detect_every, detect_window
        self.stop = threading.Event()
        self.arrived = threading.Event()
        self.changed = 0  # bumped after each source taken in and each detection run: pages reload on a change
        self.findings: dict = {"runs": 0, "last": None, "found": 0}
        self.watchers: list[tuple[FollowedSource, Watcher]] = []
        with self.write_lock:
            # Records held at start are not detected again; what arrives from now on is.
            self.detected_upto = self.store.con.execute("SELECT coalesce(max(source_id), 0) FROM sources").fetchall()[0][0]
            for follower in followers:
                turns = _Turns(self.store, self.write_lock, self.store.con.cursor())
                shown = FollowedSource(follower.target)
                watcher = Watcher(turns, follower, self.rules, base=rules_base, format=format,
                                  on_source=lambda d, shown=shown: self._took(shown, d))
                self.watchers.append((shown, watcher))
        self.threads = [threading.Thread(target=self._follow, args=(shown, w), name=f"vpcflow-follow-{i}", daemon=True)
                        for i, (shown, w) in enumerate(self.watchers)]
        self.threads.append(threading.Thread(target=self._detect, name="vpcflow-detect", daemon=True))
        for t in self.threads:
            t.start()

    # ---- following
    def _took(self, shown: FollowedSource, detail) -> None:
        if detail.status == "ingested":
            shown.sources += 1
            shown.records += detail.records
            self._arrived()

    def _arrived(self) -> None:
        self.changed += 1
        self.arrived.set()

    def _follow(self, shown: FollowedSource, watcher: Watcher) -> None:
        watcher.stop = self.stop  # one stop for every thread: close() lets each commit what it has in hand
        while not self.stop.is_set():
            try:
                shown.status = watcher.poll()
                shown.notified += shown.status.notified
                shown.error = None
            except (VpcFlowError, OSError, duckdb.Error) as exc:  # shown on the overview, and tried again
                shown.error = str(exc)
            shown.last_poll = time.time()
            self.stop.wait(self.poll)

    # ---- detecting
    def _detect(self) -> None:
        from .. import detect
        from ..detect.engine import save

        con = self.server.cursor(read_only=False)
        try:
            while not self.stop.is_set():
                if not self.arrived.wait(0.5):
                    continue
                self.arrived.clear()
                # What arrived since the last run, with the window before it that a detection looks back over.
                first, last = con.execute("SELECT min(start), max(source_id) FROM flows WHERE source_id > ?",
                                          [self.detected_upto]).fetchall()[0]
                if first is not None:
                    since = datetime.fromtimestamp(int(first), UTC) - self.detect_window
                    self.detected_upto = last
                    try:
                        report = detect.run(con, since=since, detectors=list(self.rules.detections) or None,
                                            store=False)
                        with self.write_lock:  # storing the findings is a write: in turn with the ingests
                            save(con, report.findings, datetime.now(UTC))
                    except (VpcFlowError, duckdb.Error) as exc:  # shown on the overview; the next arrival retries
                        self.findings = {**self.findings, "error": str(exc)}
                    else:
                        self.findings = {"runs": self.findings["runs"] + 1, "last": time.time(),
                                         "found": len(report.findings)}
                    try:
                        with self.write_lock:  # the sums `cost` and the dashboard read: in turn with the ingests
                            keep(con)
                    except duckdb.Error as exc:  # the records answer until the next arrival keeps them
                        self.findings = {**self.findings, "error": f"keeping the cost sums: {exc}"}
                    self.changed += 1
                self.stop.wait(self.detect_every)
        finally:
            con.close()

    # ---- showing
    def status(self) -> dict:
        return {"holder": True, "changed": self.changed, "detections": self.findings,
                "sources": [shown.as_dict(w.states()) for shown, w in self.watchers]}

    def close(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()
        self.server.close()
        for _, w in self.watchers:
            w.con.close()
        self.store.close()
