"""Re-reading `cwl://` over overlapping time ranges takes every event into the store exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

from vpcflow.aws.cwl_spans import END_OF_TIME, gaps, parse_revision, revision, store_ledger
from vpcflow.aws.deliver import CloudWatchApiWriter
from vpcflow.aws.sources import resolve
from vpcflow.fields import DEFAULT
from vpcflow.store.store import Store

from .records import records, totals

HOUR = 3600


def _put(session, recs, **kw):
    writer = CloudWatchApiWriter(session, "flows", **kw)
    writer.write(recs)
    writer.close()


def _at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _totals(store: Store) -> tuple[int, int]:
    n, b = store.con.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM flows").fetchall()[0]
    return int(n), int(b)


def _ingest(store: Store, session, since=None, until=None):
    return store.ingest(list(resolve("cwl://flows", session, since, until, held=store_ledger(store))), format=DEFAULT)


def test_gaps_are_the_parts_of_the_range_no_held_span_covers():
    assert gaps((0, 100), []) == [(0, 100)]
    assert gaps((0, 100), [(20, 30), (50, 120)]) == [(0, 20), (30, 50)]
    assert gaps((10, 40), [(0, 15), (15, 40)]) == []
    assert gaps((10, 40), [(60, 70)]) == [(10, 40)]


def test_revision_names_its_span_and_other_revisions_name_none():
    assert parse_revision(revision((5, END_OF_TIME), 3)) == (5, END_OF_TIME)
    assert parse_revision("1700000000000+2") is None  # a follower's position
    assert parse_revision(None) is None


def test_overlapping_ranges_read_again_add_each_event_once(session, tmp_path):
    base = int(datetime.now(UTC).timestamp()) - 6 * HOUR
    recs = [r for r in records(600, base, span=5 * HOUR) if r.start < base + 5 * HOUR]
    _put(session, recs)
    with Store(tmp_path / "db.duckdb") as store:
        _ingest(store, session, _at(base), _at(base + 2 * HOUR))
        _ingest(store, session, _at(base + HOUR), _at(base + 3 * HOUR))
        _ingest(store, session, _at(base + 30 * 60), _at(base + 4 * HOUR))
        _ingest(store, session)
        assert _totals(store) == totals(recs)


def test_the_same_range_read_twice_reads_nothing_new(session, tmp_path):
    base = int(datetime.now(UTC).timestamp()) - 3 * HOUR
    _put(session, records(90, base, span=2 * HOUR))
    with Store(tmp_path / "db.duckdb") as store:
        first = _ingest(store, session, _at(base), _at(base + 2 * HOUR))
        again = list(resolve("cwl://flows", session, _at(base), _at(base + 2 * HOUR), held=store_ledger(store)))
        assert first.records == 90
        assert again == []


def test_events_put_after_a_read_are_taken_in_by_the_next_one(session, tmp_path):
    base = int(datetime.now(UTC).timestamp()) - 3 * HOUR
    early, late = records(60, base, span=HOUR, seed=1), records(45, base + 2 * HOUR, span=HOUR // 2, seed=2)
    _put(session, early)
    with Store(tmp_path / "db.duckdb") as store:
        _ingest(store, session)
        _put(session, late, create_group=False)
        _ingest(store, session)
        assert _totals(store) == totals(early + late)


def test_a_range_end_is_exclusive_even_where_moto_includes_it(session, tmp_path):
    base = int(datetime.now(UTC).timestamp()) - 3 * HOUR
    recs = records(40, base, span=HOUR)
    _put(session, recs)
    cut = sorted(r.start for r in recs)[20]  # an event's own timestamp: moto's endTime would include it
    with Store(tmp_path / "db.duckdb") as store:
        _ingest(store, session, until=_at(cut))
        assert _totals(store) == totals([r for r in recs if r.start < cut])
        _ingest(store, session, since=_at(cut))
        assert _totals(store) == totals(recs)
