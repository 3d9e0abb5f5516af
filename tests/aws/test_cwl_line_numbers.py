"""A `cwl://` stream read in pieces numbers its lines across the whole read, not from the start of each piece."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vpcflow import Store
from vpcflow.alert.lines import read_lines
from vpcflow.aws import cwl_source
from vpcflow.aws.deliver import CloudWatchApiWriter, Rendered
from vpcflow.aws.sources import resolve
from vpcflow.fields import DEFAULT
from vpcflow.store import prepare

from .records import ACCOUNT

ENI = "eni-0a1b2c3d4e5f60718"
EVENTS = 60
BAD = (25, 47)  # places in the stream of the events with a port no TCP header can hold


def _events(base: int) -> list[Rendered]:
    """EVENTS events a second apart, so their order in the stream is the order written here."""
    out = []
    for place in range(1, EVENTS + 1):
        start = base + place
        dstport = 70000 if place in BAD else 443
        line = (f"2 {ACCOUNT} {ENI} 10.0.0.{place} 10.0.1.5 {1024 + place} {dstport} 6 1 {40 + place} "
                f"{start} {start + 30} ACCEPT OK")
        out.append(Rendered(ENI, start, start + 30, line))
    return out


@pytest.fixture
def stream(session, monkeypatch) -> list[Rendered]:
    monkeypatch.setattr(cwl_source, "PIECE_BYTES", 1000)  # about 10 events a piece
    events = _events(int(datetime.now(UTC).timestamp()) - 3600)
    writer = CloudWatchApiWriter(session, "flows")
    writer.write(events)
    writer.close()
    return events


def test_each_piece_starts_at_its_first_events_place_in_the_read(session, stream):
    pieces = list(resolve("cwl://flows", session, format=DEFAULT))
    counts = [p.opener().read().count(b"\n") for p in pieces]  # one line per event
    assert len(pieces) >= 4 and sum(counts) == EVENTS
    assert [p.first_line for p in pieces] == [1 + sum(counts[:i]) for i in range(len(pieces))]


@pytest.mark.parametrize("path", ["grouped", "streamed"])
def test_bad_events_are_quarantined_at_their_place_in_the_stream(session, stream, tmp_path, monkeypatch, path):
    if path == "streamed":
        monkeypatch.setattr(prepare, "SMALL_BYTES", 0)  # every piece read on its own, not parsed with others
    with Store(tmp_path / "db.duckdb") as store:
        result = store.ingest(resolve("cwl://flows", session), format=DEFAULT)
        quarantined = [(q["line"], q["reason"]) for q in store.quarantine().to_pylist()]
        stored = store.con.execute("SELECT count(*) FROM flows").fetchall()[0][0]
    assert quarantined == [(25, "dstport: above 65535: 70000"), (47, "dstport: above 65535: 70000")]
    assert (result.records, result.quarantined, stored) == (EVENTS - 2, 2, EVENTS - 2)


def test_filter_numbers_a_streams_lines_as_the_quarantine_does(session, stream):
    numbered = {line.line: line.message for line in read_lines(["cwl://flows"], lambda: session)}
    assert sorted(numbered) == list(range(1, EVENTS + 1))
    assert sorted(n for n, message in numbered.items() if " 70000 " in message) == list(BAD)
