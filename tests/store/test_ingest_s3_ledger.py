"""`Store.ingest("s3://...")` looks the listed objects up in the ledger together (one query per listing answer):
what it holds is neither downloaded nor stored again, what is new is stored exactly once. Moto's server over HTTP."""

from __future__ import annotations

import gzip
import io

import pytest

from vpcflow.aws.session import AwsSession, AwsSettings
from vpcflow.fields import DEFAULT
from vpcflow.sources.base import Source
from vpcflow.sources.layouts import key_for
from vpcflow.store import Store
from vpcflow.store.many import ingest_sources
from vpcflow.store.prepare import KNOWN, read_ahead
from vpcflow.timeutil import parse_time

LINE = "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 {port} 22 6 20 4249 1767607200 1767607260 ACCEPT OK"


@pytest.fixture
def session(aws_env) -> AwsSession:
    return AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url),
                      boto_session=aws_env.boto_session())


def _put(aws_env, hour: int, ports: range, body: bytes | None = None) -> str:
    """One gzip object of the hour's delivery (a record per port, or `body` as given); its key."""
    when = parse_time(f"2026-01-05T{hour:02d}:00:00Z")
    key = key_for(aws_env.account, aws_env.region, "fl-1234abcd", when, f"fe{hour:06d}")
    text = DEFAULT.header() + "\n" + "".join(LINE.format(port=p) + "\n" for p in ports)
    aws_env.client("s3").put_object(Bucket="flows", Key=key, Body=body if body is not None else gzip.compress(text.encode()))
    return key


def _ledger(store: Store) -> list[tuple[str, int]]:
    return [(s["identity"], s["records"]) for s in store.sources().to_pylist()]


def test_held_objects_are_skipped_unfetched_and_new_ones_stored_once(tmp_path, aws_env, session):
    aws_env.client("s3").create_bucket(Bucket="flows")
    old = [_put(aws_env, h, range(1000 + 10 * h, 1003 + 10 * h)) for h in range(3)]
    fetched: list[int] = []
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest("s3://flows", session=session)
        new = [_put(aws_env, h, range(1000 + 10 * h, 1002 + 10 * h)) for h in (3, 4)]
        result = store.ingest("s3://flows", session=session, fetched=lambda n, nbytes: fetched.append(n))
        ledger = _ledger(store)
        records = store.query("SELECT count(*) AS n, count(DISTINCT srcport) AS ports FROM flows").to_pylist()
    assert (result.records, result.sources, result.skipped_sources) == (4, 2, 3)
    assert sorted(r.source for r in result.details if r.status == "skipped") == sorted(f"s3://flows/{k}" for k in old)
    assert sum(fetched) == 2  # only the new objects are downloaded
    assert sorted(ledger) == sorted([(f"s3://flows/{k}", 3) for k in old] + [(f"s3://flows/{k}", 2) for k in new])
    assert records == [{"n": 13, "ports": 13}]


def test_a_corrupt_object_is_quarantined_once_and_held_like_the_others(tmp_path, aws_env, session):
    aws_env.client("s3").create_bucket(Bucket="flows")
    good = [_put(aws_env, h, range(2000 + 10 * h, 2004 + 10 * h)) for h in (0, 2)]
    broken = _put(aws_env, 1, range(0), body=b"\x1f\x8b\x08\x00not gzip at all")
    fetched: list[int] = []
    with Store(tmp_path / "s.duckdb") as store:
        first = store.ingest("s3://flows", session=session)
        again = store.ingest("s3://flows", session=session, fetched=lambda n, nbytes: fetched.append(n))
        ledger = _ledger(store)
        quarantined = [q["source"] for q in store.quarantine().to_pylist()]
        stored = store.query("SELECT count(*) AS n FROM flows").to_pylist()
    assert (first.records, first.quarantined, first.errors) == (8, 1, [])
    assert (again.records, again.skipped_sources, sum(fetched)) == (0, 3, 0)
    assert sorted(ledger) == sorted([(f"s3://flows/{k}", 4) for k in good] + [(f"s3://flows/{broken}", 0)])
    assert quarantined == [f"s3://flows/{broken}"]
    assert stored == [{"n": 8}]


def _object(port: int, etag: str = "e1") -> Source:
    """An S3 object as the listing and download give it: identity, ETag, bytes in memory."""
    # mtime=0: gzip stamps the time in its header, so two objects made a second apart would differ in content
    body = gzip.compress((DEFAULT.header() + "\n" + LINE.format(port=port) + "\n").encode(), mtime=0)
    return Source(identity=f"s3://flows/{port}.log.gz", opener=lambda: io.BytesIO(body), size=len(body), version=etag,
                  whole=True)


def test_what_the_listing_looked_up_is_not_looked_up_again_before_it_is_read(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([_object(1), _object(2)])
        ahead = read_ahead([_object(1), _object(2)], None, ledger=store.con,
                           looked_up={("s3://flows/1.log.gz", "e1")})
        known = [pre is KNOWN for _, pre in ahead]
    assert known == [False, True]  # the first is read (the listing's look-up said new); the second is asked


def test_an_object_the_listing_missed_is_still_stored_once_by_its_content(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest([_object(1)])
        again = ingest_sources(store.con, [_object(1)], looked_up={("s3://flows/1.log.gz", "e1")})
        stored = store.query("SELECT count(*) AS n FROM flows").to_pylist()
        ledger = _ledger(store)
    assert [(r.status, r.message.startswith("already ingested")) for r in again.details] == [("skipped", True)]
    assert (stored, ledger) == ([{"n": 1}], [("s3://flows/1.log.gz", 1)])
