"""Flow logs delivered through Firehose to S3: read from `s3://` (moto's Firehose writes the objects) and from
a local copy, pruned by the dates in Firehose's keys."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from vpcflow.aws.apply import apply
from vpcflow.aws.plan import plan_apply
from vpcflow.aws.request import make_request
from vpcflow.aws.sources import resolve
from vpcflow.fields import DEFAULT, LogFormat
from vpcflow.sources import firehose
from vpcflow.store.store import Store

from .records import records, totals

DAY = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp())
UUID = "0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"


def _stream(aws_env, name="flows", bucket="fh-bucket", prefix="vpc/"):
    aws_env.client("s3").create_bucket(Bucket=bucket)
    return aws_env.client("firehose").create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": "arn:aws:iam::123456789012:role/fh",
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "Prefix": prefix,
        },
    )["DeliveryStreamARN"]


def _key(when: int, *, prefix="vpc/", stream="flows", suffix="") -> str:
    t = datetime.fromtimestamp(when, UTC)
    return f"{prefix}{t:%Y/%m/%d/%H}/{stream}-1-{t:%Y-%m-%d-%H-%M-%S}-{UUID}{suffix}"


def _totals(store: Store) -> tuple[int, int]:
    n, b = store.con.execute("SELECT count(*), coalesce(sum(bytes), 0) FROM flows").fetchall()[0]
    return int(n), int(b)


def test_key_info_reads_the_arrival_hour_from_the_object_name():
    info = firehose.key_info(_key(DAY + 5 * 3600 + 17, suffix=".gz"))
    assert (info.day.isoformat(), info.hour) == ("2026-03-10", 5)
    assert firehose.stream_of(_key(DAY, stream="my.flow-logs_1")) == "my.flow-logs_1"
    assert firehose.key_info("AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/03/10/x.log.gz") is None


def test_date_folders_outside_the_range_are_pruned_and_others_kept():
    since, until = datetime(2026, 3, 10, 6, tzinfo=UTC), datetime(2026, 3, 10, 8, tzinfo=UTC)
    assert not firehose.may_hold("vpc/2026/03/09/", since, until)
    assert not firehose.may_hold("vpc/2026/03/10/02/", since, until)
    assert firehose.may_hold("vpc/2026/03/10/05/", since, until)  # an hour's margin: late arrivals
    assert firehose.may_hold("vpc/2026/", since, until)
    assert not firehose.may_hold("vpc/2025/", since, until)
    assert firehose.may_hold("team-a/", since, until)


def test_moto_firehose_delivery_reads_back_every_record(session, aws_env, tmp_path):
    _stream(aws_env)
    recs = records(300, DAY)
    fh = aws_env.client("firehose")
    for i in range(0, len(recs), 100):
        fh.put_record_batch(DeliveryStreamName="flows", Records=[{"Data": (r.line + "\n").encode()} for r in recs[i:i + 100]])
    sources = list(resolve("s3://fh-bucket/vpc", session))
    assert len(sources) == 3 and all(firehose.is_firehose_object(s.identity) for s in sources)
    with Store(tmp_path / "db.duckdb") as store:
        result = store.ingest(sources)
        assert result.quarantined == 0
        assert _totals(store) == totals(recs)


def test_gzip_objects_and_since_until_pruning_by_the_key_date(session, aws_env, tmp_path):
    # moto gap: its Firehose ignores CompressionFormat and names objects by the current time, so the objects
    # are put as Firehose would have written them on other days, GZIP-compressed
    _stream(aws_env)
    s3 = aws_env.client("s3")
    early, late = records(50, DAY, seed=1), records(70, DAY + 2 * 86400, seed=2)
    for recs, when in ((early, DAY + 1800), (late, DAY + 2 * 86400 + 1800)):
        body = gzip.compress("".join(r.line + "\n" for r in recs).encode())
        s3.put_object(Bucket="fh-bucket", Key=_key(when, suffix=".gz"), Body=body)
    since = datetime.fromtimestamp(DAY + 2 * 86400, UTC)
    sources = list(resolve("s3://fh-bucket/vpc/", session, since=since))
    assert [s.identity for s in sources] == [f"s3://fh-bucket/{_key(DAY + 2 * 86400 + 1800, suffix='.gz')}"]
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(sources)
        assert _totals(store) == totals(late)


def test_format_comes_from_the_flow_log_that_delivers_to_the_stream(session, aws_env, vpc, tmp_path):
    arn = _stream(aws_env)
    apply(session, plan_apply(session, make_request([vpc["eni"]], f"firehose://{arn}", format="v3")))
    v3 = LogFormat.parse("v3")
    values = {"version": "3", "account-id": "123456789012", "interface-id": vpc["eni"], "srcaddr": "10.0.1.5",
              "dstaddr": "10.0.1.6", "srcport": "443", "dstport": "50000", "protocol": "6", "packets": "3",
              "bytes": "1200", "start": str(DAY), "end": str(DAY + 60), "action": "ACCEPT", "log-status": "OK",
              "vpc-id": vpc["vpc"], "subnet-id": vpc["subnet"], "instance-id": "-", "tcp-flags": "2",
              "type": "IPv4", "pkt-srcaddr": "10.0.1.5", "pkt-dstaddr": "10.0.1.6"}
    line = " ".join(values[n] for n in v3.names)
    aws_env.client("firehose").put_record(DeliveryStreamName="flows", Record={"Data": (line + "\n").encode()})
    [source] = resolve("s3://fh-bucket/vpc", session)
    assert source.format == v3
    with Store(tmp_path / "db.duckdb") as store:
        assert store.ingest([source]).records == 1


def test_a_local_copy_is_walked_pruned_by_date_and_ingested(tmp_path):
    early, late = records(40, DAY, seed=1), records(60, DAY + 86400, seed=2)
    for recs, when in ((early, DAY + 600), (late, DAY + 86400 + 600)):
        path = tmp_path / "copy" / _key(when)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(r.line + "\n" for r in recs))
    (tmp_path / "copy" / "vpc" / "README.txt").write_text("not a Firehose object\n")
    since = datetime.fromtimestamp(DAY + 86400, UTC)
    assert len(list(firehose.walk(tmp_path / "copy"))) == 2
    sources = list(firehose.walk(tmp_path / "copy", since=since))
    assert [s.key.day.isoformat() for s in sources] == ["2026-03-11"]
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(sources, format=DEFAULT)
        assert _totals(store) == totals(late)
