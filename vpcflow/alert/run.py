"""One batch of alert rules over records: the library behind `vpcflow alert`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import StoreError
from ..store.store import Store
from .alarms import StateChange
from .engine import AlertEngine, Contribution
from .lines import read_lines
from .notify import Delivery, Dispatcher
from .rules import Rules
from .sql import line_of


@dataclass(frozen=True)
class AlertRun:
    records: int
    changes: list[tuple[StateChange, list[Delivery]]]
    states: dict[str, str]
    contributors: list[Contribution]


def run_rules(
    rules: Rules,
    paths: list[str] | None = None,
    db: str | Path | None = None,
    dispatcher: Dispatcher | None = None,
    base: Path | None = None,
    now: float | None = None,
) -> AlertRun:
    """Evaluate the rules over files or the store, period by period, notifying on each change of state."""
    engine = AlertEngine(rules, dispatcher, base)
    now = time.time() if now is None else now
    count = 0
    for message in _messages(rules, paths, db):
        engine.observe(message, now)
        count += 1
    changes = engine.finish()
    return AlertRun(count, changes, engine.states_now(), engine.top_contributors())


def _messages(rules: Rules, paths, db):
    if db is not None:
        if not Path(db).exists():
            raise StoreError("no such store", location=str(db))
        store = Store(db, read_only=True)  # through the holder when another process holds it
        con = store.con
        try:
            cursor = con.execute(
                f'SELECT {line_of(rules.format)} FROM flows ORDER BY "start", "end", source_id'
            )
            while rows := cursor.fetchmany(10_000):
                for (message,) in rows:
                    yield message
        finally:
            store.close()
        return
    for line in read_lines(list(paths or [])):
        yield line.message
