"""`vpcflow ingest s3://...` and `cwl://...`, from the command line and from Store.ingest with a session,
against moto's server over HTTP."""

from __future__ import annotations

import gzip
import time

import pytest

from vpcflow.aws.session import AwsSession, AwsSettings
from vpcflow.fields import DEFAULT
from vpcflow.sources.layouts import key_for
from vpcflow.store import Store
from vpcflow.timeutil import parse_time

SSH = "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 {t} {t2} ACCEPT OK"
PORTED = "2 123456789012 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 {port} 22 6 20 4249 1767607200 1767607260 ACCEPT OK"


def test_ingest_reads_an_s3_prefix_with_the_endpoint_and_region_flags(cli, db_path, aws_env, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", aws_env.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", aws_env.secret_key)
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flows")
    when = parse_time("2026-01-05T10:00:00Z")
    key = key_for(aws_env.account, aws_env.region, "fl-1234abcd", when, "fe123456", prefix="vpc")
    body = DEFAULT.header() + "\n" + SSH.format(t=1767607200, t2=1767607260) + "\n"
    s3.put_object(Bucket="flows", Key=key, Body=gzip.compress(body.encode()))
    args = ("ingest", "s3://flows/vpc", "--db", db_path, "--endpoint-url", aws_env.endpoint_url,
            "--region", aws_env.region, "-o", "json")
    first = cli(*args)
    assert first.code == 0, first.err
    assert (first.json()["records"], first.json()["sources"]) == (1, 1)
    assert cli(*args).json()["skipped_sources"] == 1  # the same object (key and ETag) again is a no-op


def _one_event_stream(aws_env, group: str) -> None:
    """A log group with one interface's stream holding one SSH record from two minutes ago."""
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="eni-1235b8ca123456789-all")
    now = int(time.time()) - 120
    logs.put_log_events(logGroupName=group, logStreamName="eni-1235b8ca123456789-all",
                        logEvents=[{"timestamp": now * 1000, "message": SSH.format(t=now, t2=now + 60)}])


def test_ingest_reads_cloudwatch_streams_from_the_environment(cli, db_path, aws_env, monkeypatch):
    for k, v in aws_env.environ.items():
        monkeypatch.setenv(k, v)
    _one_event_stream(aws_env, "vpc-flows")
    result = cli("ingest", "cwl://vpc-flows", "--db", db_path, "--format", "default", "-o", "json")
    assert result.code == 0, result.err
    assert result.json()["records"] == 1
    rows = cli("query", "SELECT log_stream, dstport FROM flows", "--db", db_path, "-o", "json").json()
    assert rows == [{"log_stream": "eni-1235b8ca123456789-all", "dstport": 22}]


def test_ingest_of_overlapping_cloudwatch_ranges_stores_each_event_once(cli, db_path, aws_env, monkeypatch):
    for k, v in aws_env.environ.items():
        monkeypatch.setenv(k, v)
    logs = aws_env.client("logs")
    logs.create_log_group(logGroupName="overlap")
    stream = "eni-1235b8ca123456789-all"
    logs.create_log_stream(logGroupName="overlap", logStreamName=stream)
    base = (int(time.time()) // 60 - 30) * 60  # whole minutes, inside CloudWatch's accepted past
    logs.put_log_events(logGroupName="overlap", logStreamName=stream, logEvents=[
        {"timestamp": (base + 60 * i) * 1000, "message": SSH.format(t=base + 60 * i, t2=base + 60 * i + 60)}
        for i in range(10)])

    def at(minute: int) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(base + 60 * minute))

    first = cli("ingest", "cwl://overlap", "--since", at(0), "--until", at(6), "--db", db_path,
                "--format", "default", "-o", "json")
    second = cli("ingest", "cwl://overlap", "--since", at(3), "--until", at(10), "--db", db_path,
                 "--format", "default", "-o", "json")
    assert (first.code, second.code) == (0, 0), first.err + second.err
    assert (first.json()["records"], second.json()["records"]) == (6, 4)
    rows = cli("query", "SELECT count(*) AS n, count(DISTINCT start) AS d FROM flows", "--db", db_path, "-o", "json")
    assert rows.json() == [{"n": 10, "d": 10}]


def test_read_prints_an_s3_prefix_and_a_cloudwatch_group_without_a_store(cli, aws_env, monkeypatch):
    for k, v in aws_env.environ.items():
        monkeypatch.setenv(k, v)
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flows")
    key = key_for(aws_env.account, aws_env.region, "fl-1234abcd", parse_time("2026-01-05T10:00:00Z"), "fe123456")
    body = DEFAULT.header() + "\n" + SSH.format(t=1767607200, t2=1767607260) + "\n"
    s3.put_object(Bucket="flows", Key=key, Body=gzip.compress(body.encode()))
    _one_event_stream(aws_env, "vpc-flows")
    result = cli("read", "s3://flows", "cwl://vpc-flows", "--format", "default", "-o", "json")
    assert result.code == 0, result.err
    assert [(r["dstport"], r["log_stream"]) for r in result.json()] == [(22, None), (22, "eni-1235b8ca123456789-all")]


@pytest.fixture
def session(aws_env) -> AwsSession:
    return AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url),
                      boto_session=aws_env.boto_session())


def _one_object(aws_env, bucket: str) -> None:
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket=bucket)
    key = key_for(aws_env.account, aws_env.region, "fl-1234abcd", parse_time("2026-01-05T10:00:00Z"), "fe123456")
    body = DEFAULT.header() + "\n" + SSH.format(t=1767607200, t2=1767607260) + "\n"
    s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(body.encode()))


def test_store_ingest_reads_an_s3_prefix_with_a_session(tmp_path, aws_env, session):
    _one_object(aws_env, "flows")
    with Store(tmp_path / "s.duckdb") as store:
        result = store.ingest("s3://flows", session=session)
        assert (result.records, result.sources, result.errors) == (1, 1, [])
        assert store.query("SELECT dstport FROM flows").to_pylist() == [{"dstport": 22}]


def test_store_ingest_skips_an_s3_object_the_ledger_holds_before_downloading_it(tmp_path, aws_env, session):
    _one_object(aws_env, "flows")
    first, again = [], []
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest("s3://flows", session=session, fetched=lambda n, nbytes: first.append(n))
        result = store.ingest("s3://flows", session=session, fetched=lambda n, nbytes: again.append(n))
    assert (result.records, result.skipped_sources) == (0, 1)
    assert (sum(first), sum(again)) == (1, 0)  # the second time it is listed, not fetched


def test_store_ingest_reads_cloudwatch_streams_with_a_session(tmp_path, aws_env, session):
    _one_event_stream(aws_env, "vpc-flows")
    with Store(tmp_path / "s.duckdb") as store:
        first = store.ingest("cwl://vpc-flows", session=session, format="default")
        again = store.ingest("cwl://vpc-flows", session=session, format="default")
        rows = store.query("SELECT log_stream, dstport FROM flows").to_pylist()
    assert (first.records, again.records) == (1, 0)
    assert rows == [{"log_stream": "eni-1235b8ca123456789-all", "dstport": 22}]


def test_store_ingest_of_an_aws_uri_without_a_session_fails_that_target_alone(tmp_path):
    local = tmp_path / "one.log"
    local.write_text(SSH.format(t=1767607200, t2=1767607260) + "\n")
    with Store(tmp_path / "s.duckdb") as store:
        result = store.ingest(["s3://flows/vpc", local])
    assert result.records == 1
    [failed] = result.errors
    assert failed.source == "s3://flows/vpc"
    assert failed.message.startswith("s3://flows/vpc: reading AWS needs a session (pass session=")


@pytest.mark.parametrize("records", [3, 60_000])  # 60,000 lines are about 6 MB: streamed alone, not in a group
def test_an_s3_object_rewritten_under_its_key_replaces_its_rows(tmp_path, aws_env, session, records):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flows")
    key = key_for(aws_env.account, aws_env.region, "fl-1234abcd", parse_time("2026-01-05T10:00:00Z"), "fe123456")

    def put(first_port: int, n: int) -> str:
        lines = "".join(PORTED.format(port=first_port + i % 60_000) + "\n" for i in range(n))
        return s3.put_object(Bucket="flows", Key=key, Body=(DEFAULT.header() + "\n" + lines).encode())["ETag"]

    first_etag = put(1024, records)
    with Store(tmp_path / "s.duckdb") as store:
        store.ingest("s3://flows", session=session)
        assert put(40_000, 5) != first_etag  # a new ETag under the same key
        result = store.ingest("s3://flows", session=session)
        ports = store.query("SELECT count(*) AS n, min(srcport) AS lo, max(srcport) AS hi FROM flows").to_pylist()
        ledger = [(s["identity"], s["records"]) for s in store.sources().to_pylist()]
    assert (result.records, result.sources) == (5, 1)
    assert ports == [{"n": 5, "lo": 40_000, "hi": 40_004}]
    assert ledger == [(f"s3://flows/{key}", 5)]
