"""The bad-input corpus (tests/fixtures/bad_input) through ingest, vpcflow.read and watch: each kind keeps the
records it should, quarantines each bad line at its place with its reason, fails only the sources that cannot
be read, and nothing raises."""

from __future__ import annotations

from pathlib import Path

import pytest

import vpcflow
from tests.fixtures.bad_input import KINDS, Kind
from vpcflow.alert.follow import DirectoryFollower
from vpcflow.alert.rules import load_rules
from vpcflow.alert.watch import Watcher
from vpcflow.reader import read

from ..alert.watching import write_rules


def _ingested(kind: Kind, folder: Path, db: Path) -> tuple[int, list, list]:
    kind.write(folder)
    with vpcflow.Store(db) as store:
        result = store.ingest(folder)
        bad = store.con.execute("SELECT source, line, reason FROM quarantine ORDER BY source, line").fetchall()
    return result.records, bad, [(e.source, e.message) for e in result.errors]


def _read(kind: Kind, folder: Path, db: Path) -> tuple[int, list, list]:
    kind.write(folder)
    parts = list(read(folder))
    bad = [(p.source, b.line, b.reason) for p in parts for b in p.quarantined]
    return sum(p.records.num_rows for p in parts if p.records is not None), bad, [(p.source, p.error)
                                                                                 for p in parts if p.error]


def _watched(kind: Kind, folder: Path, db: Path) -> tuple[int, list, list]:
    """The kind lands in a folder a watcher follows; the next poll takes it in, the one after finds nothing new
    (a failed source is reported once, not every poll): what it stored, quarantined and reported."""
    rules = load_rules(write_rules(db.parent / "rules.yaml", db.parent / "alerts.jsonl"))
    reported = []
    with vpcflow.Store(db) as store:
        watcher = Watcher(store, DirectoryFollower(folder), rules, on_source=reported.append)
        assert watcher.poll().ingested == 0
        kind.write(folder)
        status = watcher.poll()
        again = watcher.poll()
        stored = store.con.execute("SELECT count(*) FROM flows").fetchall()[0][0]
        bad = store.con.execute("SELECT source, line, reason FROM quarantine ORDER BY source, line").fetchall()
    assert status.records == stored and status.pending == 0
    assert (again.ingested, again.failed) == (0, [])
    assert sum(d.records for d in reported if d.status == "ingested") == stored
    assert [(d.source, d.message) for d in reported if d.status == "failed"] == status.failed
    return stored, bad, status.failed


def _matches(kind: Kind, records: int, bad: list, failed: list) -> None:
    if kind.records is None:
        assert records > 0
    else:
        assert records == kind.records
    got = [(Path(source).name, line, reason) for source, line, reason in bad]
    assert len(got) == len(kind.quarantine), got
    for (name, line, reason), (want_name, want_line, start) in zip(got, kind.quarantine, strict=True):
        assert name == want_name and reason.startswith(start), (name, line, reason)
        assert want_line is None or line == want_line
    got_failed = sorted((Path(source).name, message) for source, message in failed)
    assert len(got_failed) == len(kind.failed), got_failed
    for (name, message), (want_name, says) in zip(got_failed, sorted(kind.failed), strict=True):
        assert name == want_name and says in message, (name, message)


@pytest.mark.parametrize("way", [_ingested, _read, _watched], ids=["ingest", "read", "watch"])
@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_each_kind_of_bad_input_keeps_its_records_and_names_its_bad_lines(tmp_path, kind, way):
    folder = tmp_path / "logs"
    folder.mkdir()
    _matches(kind, *way(kind, folder, tmp_path / "s.duckdb"))


def test_the_corpus_holds_twenty_kinds():
    assert len({k.name for k in KINDS}) >= 20
