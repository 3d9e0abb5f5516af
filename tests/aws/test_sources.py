"""Reading `s3://` and `cwl://` from moto's server, delivered through the API, into the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from vpcflow.aws.deliver import CloudWatchApiWriter, S3ApiWriter
from vpcflow.aws.sources import resolve
from vpcflow.fields import DEFAULT, LogFormat
from vpcflow.store.store import Store

from .records import ACCOUNT, INTERFACES, records, totals

DAY = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp())


def _store_totals(store: Store) -> tuple[int, int]:
    n, b = store.con.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM flows").fetchall()[0]
    return int(n), int(b)


def _put_s3(session, aws_env, recs, *, bucket="flows", **layout):
    aws_env.client("s3").create_bucket(Bucket=bucket)
    writer = S3ApiWriter(session, bucket, "fl-0123456789abcdef0", account=ACCOUNT, region=aws_env.region, **layout)
    writer.write(recs)
    writer.close()
    return writer.keys


def _put_cwl(session, recs, group="flows", **kw):
    writer = CloudWatchApiWriter(session, group, **kw)
    writer.write(recs)
    writer.close()
    return writer


@pytest.mark.parametrize(
    "layout",
    [
        {},
        {"hive": True},
        {"per_hour": True},
        {"hive": True, "per_hour": True},
        {"prefix": "team-a/vpc"},
        {"parquet": True},
        {"parquet": True, "hive": True, "per_hour": True},
    ],
    ids=["default", "hive", "per-hour", "hive-per-hour", "prefix", "parquet", "parquet-hive-per-hour"],
)
def test_s3_every_layout_reads_back_every_record(session, aws_env, tmp_path, layout):
    recs = records(300, DAY, span=3600)
    keys = _put_s3(session, aws_env, recs, **layout)
    sources = list(resolve("s3://flows", session))
    assert sorted(s.identity for s in sources) == sorted(f"s3://flows/{k}" for k in keys)
    with Store(tmp_path / "db.duckdb") as store:
        result = store.ingest(sources)
        assert result.quarantined == 0
        assert _store_totals(store) == totals(recs)


def test_s3_source_is_versioned_by_etag_and_read_exactly_once(session, aws_env, tmp_path):
    recs = records(200, DAY)
    _put_s3(session, aws_env, recs)
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(list(resolve("s3://flows", session)))
        again = store.ingest(list(resolve("s3://flows", session)))
        assert (again.sources, again.skipped_sources) == (0, len(again.details))
        assert _store_totals(store) == totals(recs)
    etags = {o["Key"]: o["ETag"].strip('"') for o in aws_env.client("s3").list_objects_v2(Bucket="flows")["Contents"]}
    assert {s.identity: s.version for s in resolve("s3://flows", session)} == {
        f"s3://flows/{k}": v for k, v in etags.items()
    }


def test_s3_since_until_keeps_only_objects_that_may_hold_the_window(session, aws_env):
    first = records(100, DAY, span=3600, seed=1)
    later = records(100, DAY + 3 * 86400, span=3600, seed=2)
    _put_s3(session, aws_env, first + later, per_hour=True)
    since = datetime.fromtimestamp(DAY + 3 * 86400, UTC)
    sources = list(resolve("s3://flows", session, since=since, until=since + timedelta(hours=2)))
    assert sources and all(s.key.day == since.date() for s in sources)


def test_s3_source_tells_parquet_from_text(session, aws_env):
    _put_s3(session, aws_env, records(50, DAY), parquet=True)
    assert {s.kind for s in resolve("s3://flows", session)} == {"parquet"}


def test_s3_seen_sources_are_not_downloaded(session, aws_env):
    _put_s3(session, aws_env, records(300, DAY, span=2 * 3600))
    all_ids = [s.identity for s in resolve("s3://flows", session)]
    rest = list(resolve("s3://flows", session, seen=lambda listed: {p for p in listed if p[0] == all_ids[0]}))
    assert [s.identity for s in rest] == all_ids[1:]


def test_s3_seen_is_asked_once_for_a_whole_listing_answer(session, aws_env):
    _put_s3(session, aws_env, records(300, DAY, span=2 * 3600))
    all_ids = sorted(s.identity for s in resolve("s3://flows", session))
    asked: list[list[tuple[str, str]]] = []
    list(resolve("s3://flows", session, seen=lambda listed: asked.append(list(listed)) or set()))
    assert len(all_ids) > 1
    assert [sorted(identity for identity, _ in pairs) for pairs in asked] == [all_ids]


def test_s3_seen_is_asked_once_per_folder_when_a_prefix_is_walked(session, aws_env, monkeypatch):
    _put_s3(session, aws_env, records(300, DAY, span=3 * 86400))  # three day folders
    monkeypatch.setattr("vpcflow.aws.s3_source.WHOLE_LISTING", 1)  # every prefix is walked
    all_ids = sorted(s.identity for s in resolve("s3://flows", session))
    asked: list[list[tuple[str, str]]] = []
    list(resolve("s3://flows", session, seen=lambda listed: asked.append(list(listed)) or set()))
    assert len(asked) == 3
    assert sorted(identity for pairs in asked for identity, _ in pairs) == all_ids


def test_cwl_reads_back_every_record_with_its_event_time(session, aws_env, tmp_path):
    now = datetime.now(UTC).replace(microsecond=0)
    recs = records(900, int(now.timestamp()) - 7200, span=3600)
    _put_cwl(session, recs)
    sources = list(resolve("cwl://flows", session))
    assert sorted(s.log_stream for s in sources) == sorted(f"{eni}-all" for eni in INTERFACES)
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(sources, format=DEFAULT)
        assert _store_totals(store) == totals(recs)
        mismatched = store.con.execute(
            "SELECT count(*) FROM flows WHERE epoch(event_time)::BIGINT <> start"
        ).fetchall()[0][0]
        assert mismatched == 0


def test_cwl_lines_carry_an_iso_timestamp_with_milliseconds(session):
    start = int(datetime.now(UTC).timestamp()) - 600
    recs = records(3, start, span=1, interfaces=INTERFACES[:1])
    _put_cwl(session, recs)
    [source] = resolve("cwl://flows", session)
    first = source.opener().read().decode().splitlines()[0]
    stamp, message = first.split(" ", 1)
    assert stamp == datetime.fromtimestamp(recs[0].start, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    assert message in {r.line for r in recs}


def test_cwl_stream_in_the_uri_selects_one_interface(session):
    _put_cwl(session, records(90, int(datetime.now(UTC).timestamp()) - 3600))
    sources = list(resolve(f"cwl://flows/{INTERFACES[1]}", session))
    assert [s.log_stream for s in sources] == [f"{INTERFACES[1]}-all"]


def test_cwl_group_names_with_slashes_are_found(session):
    _put_cwl(session, records(30, int(datetime.now(UTC).timestamp()) - 3600), group="/aws/vendedlogs/flows")
    assert len(list(resolve("cwl:///aws/vendedlogs/flows", session))) == len(INTERFACES)
    assert len(list(resolve(f"cwl:///aws/vendedlogs/flows/{INTERFACES[0]}-all", session))) == 1


def test_cwl_since_until_limits_events(session, tmp_path):
    base = int(datetime.now(UTC).timestamp()) - 4 * 3600
    early, late = records(120, base, span=3600, seed=1), records(150, base + 2 * 3600, span=3600, seed=2)
    _put_cwl(session, early + late)
    since = datetime.fromtimestamp(base + 2 * 3600, UTC)
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(list(resolve("cwl://flows", session, since=since)), format=DEFAULT)
        assert _store_totals(store) == totals(late)


def test_cwl_format_comes_from_the_flow_log_that_delivers_to_the_group(session, aws_env, vpc):
    from vpcflow.aws.apply import apply
    from vpcflow.aws.plan import plan_apply
    from vpcflow.aws.request import make_request

    apply(session, plan_apply(session, make_request([vpc["vpc"]], "cloudwatch://flows", format="v3")))
    _put_cwl(session, records(3, int(datetime.now(UTC).timestamp()) - 600), create_group=False)
    assert {s.format for s in resolve("cwl://flows", session)} == {LogFormat.parse("v3")}


def test_cwl_unknown_group_is_a_clear_error(session):
    from vpcflow.errors import VpcFlowError

    with pytest.raises(VpcFlowError, match="log group 'nope' not found"):
        list(resolve("cwl://nope", session))


def test_unknown_scheme_is_refused(session):
    from vpcflow.errors import VpcFlowError

    with pytest.raises(VpcFlowError, match="not an AWS source"):
        resolve("gs://bucket", session)
