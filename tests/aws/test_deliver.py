"""API delivery: PutLogEvents batches within AWS's limits, old data shifted to be recent, S3 keys as AWS's."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

from vpcflow.aws.deliver import (
    EVENT_OVERHEAD,
    MAX_BATCH_BYTES,
    MAX_EVENTS,
    MAX_SPAN_MS,
    CloudWatchApiWriter,
    S3ApiWriter,
    batches,
    shift_for,
)
from vpcflow.aws.sources import resolve
from vpcflow.fields import DEFAULT
from vpcflow.sources.layouts import parse_key

from .records import ACCOUNT, INTERFACES, records

NOW = datetime(2026, 11, 1, tzinfo=UTC).timestamp()


# moto gap: moto accepts any PutLogEvents batch, so the limits are checked here on vpcflow's own batches
def test_batches_hold_at_most_10000_events():
    events = [(i, "x") for i in range(25_000)]
    assert [len(b) for b in batches(events)] == [MAX_EVENTS, MAX_EVENTS, 5_000]


def test_batches_hold_at_most_one_mebibyte_counting_26_bytes_per_event():
    events = [(i, "y" * 5000) for i in range(1000)]
    sizes = [sum(len(m) + EVENT_OVERHEAD for _, m in b) for b in batches(events)]
    assert max(sizes) <= MAX_BATCH_BYTES and sum(len(b) for b in batches(events)) == 1000
    assert len(sizes) == 5


def test_batches_span_less_than_24_hours():
    hour = 3600_000
    events = [(i * hour, "z") for i in range(50)]
    for b in batches(events):
        assert b[-1][0] - b[0][0] < MAX_SPAN_MS


def test_batches_are_chronological_even_when_records_are_not():
    events = [(t, str(t)) for t in (5, 3, 9, 1)]
    assert [t for b in batches(events) for t, _ in b] == [1, 3, 5, 9]


def test_recent_data_is_not_shifted():
    assert shift_for([int(NOW) - 7200], [int(NOW) - 7100], NOW) == 0


def test_data_older_than_fourteen_days_is_shifted_to_end_five_minutes_ago():
    start, end = int(NOW) - 30 * 86400, int(NOW) - 29 * 86400
    assert end + shift_for([start], [end], NOW) == int(NOW) - 300


def test_old_records_are_written_shifted_with_start_and_end_in_the_text(session):
    recs = records(40, int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()), interfaces=INTERFACES[:1])
    writer = CloudWatchApiWriter(session, "flows")
    writer.write(recs)
    writer.close()
    assert writer.shifted_by > 0
    [source] = resolve("cwl://flows", session)
    at_start, at_end = DEFAULT.names.index("start"), DEFAULT.names.index("end")
    for line in source.opener().read().decode().splitlines():
        stamp, *tokens = line.split()
        start = int(datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp())
        assert start == int(tokens[at_start]) and int(tokens[at_end]) >= start
    originals = sorted(r.start for r in recs)
    assert originals[-1] + writer.shifted_by > datetime.now(UTC).timestamp() - 86400


def test_cloudwatch_writer_puts_one_stream_per_interface_named_eni_all(session, aws_env):
    writer = CloudWatchApiWriter(session, "flows")
    writer.write(records(30, int(datetime.now(UTC).timestamp()) - 3600))
    writer.close()
    streams = aws_env.client("logs").describe_log_streams(logGroupName="flows")["logStreams"]
    assert sorted(s["logStreamName"] for s in streams) == sorted(f"{e}-all" for e in INTERFACES)
    assert writer.events == 30


def test_s3_writer_files_records_in_five_minute_objects_under_aws_keys(session, aws_env):
    aws_env.client("s3").create_bucket(Bucket="flows")
    day = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp())
    writer = S3ApiWriter(session, "flows", "fl-0123456789abcdef0", account=ACCOUNT, region=aws_env.region)
    writer.write(records(200, day, span=1800))
    writer.close()
    infos = [parse_key(k) for k in writer.keys]
    assert all(i.account == ACCOUNT and i.flow_log_id == "fl-0123456789abcdef0" for i in infos)
    assert all(i.stamp.minute % 5 == 0 for i in infos)
    assert writer.keys[0].startswith(
        f"AWSLogs/{ACCOUNT}/vpcflowlogs/{aws_env.region}/2026/03/10/{ACCOUNT}_vpcflowlogs_"
    )
    body = aws_env.client("s3").get_object(Bucket="flows", Key=writer.keys[0])["Body"].read()
    assert gzip.decompress(body).decode().splitlines()[0] == DEFAULT.header()
