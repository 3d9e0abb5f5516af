"""Re-reading `cwl://` over overlapping time ranges takes every event into the store exactly once."""

from __future__ import annotations

from datetime import UTC, datetime

from vpcflow.aws import cwl_source
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


def test_a_long_stream_is_handed_over_in_pieces_whose_spans_abut(session, tmp_path, monkeypatch):
    monkeypatch.setattr(cwl_source, "PIECE_BYTES", 2000)  # about 20 events a piece
    base = int(datetime.now(UTC).timestamp()) - 3 * HOUR
    recs = records(400, base, span=60, interfaces=["eni-0a1b2c3d4e5f60718"])  # several events every second
    _put(session, recs)
    pieces = list(resolve("cwl://flows", session, format=DEFAULT))
    assert len(pieces) > 5 and {p.identity for p in pieces} == {"cwl://flows/eni-0a1b2c3d4e5f60718-all"}
    spans = sorted(parse_revision(p.version) for p in pieces)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))  # no gap, no overlap
    for piece, span in zip(pieces, (parse_revision(p.version) for p in pieces), strict=True):
        stamps = {_line_ms(line) for line in piece.opener().read().splitlines()}
        assert all(span[0] <= ms < span[1] for ms in stamps)  # a timestamp's events all sit in one piece
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(pieces, format=DEFAULT)
        assert _totals(store) == totals(recs)
        assert list(resolve("cwl://flows", session, held=store_ledger(store))) == []


def _line_ms(line: bytes) -> int:
    stamp = datetime.strptime(line.split(b" ", 1)[0].decode(), "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return int(stamp.timestamp() * 1000)


def test_a_piece_ends_between_two_timestamps_and_never_inside_the_last_ones_events():
    end = cwl_source._piece_end
    assert end([1, 2, 3, 4], ["ab"] * 4, 3) == 2  # two events reach 3 bytes
    assert end([1, 2, 2, 3], ["ab"] * 4, 3) == 3  # the second timestamp's events stay together
    assert end([1, 2, 2, 2], ["ab"] * 4, 3) == 1  # they run to the end: the piece ends before them
    assert end([5, 5, 5], ["ab"] * 3, 3) == 0  # one timestamp so far: no place to end yet
