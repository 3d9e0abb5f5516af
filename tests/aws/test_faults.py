"""Reads through a proxy that throttles, fails, drops and cuts: every record arrives exactly once.
Expired credentials and missing permissions become one clear line naming the resource and the action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from vpcflow.aws import s3_source
from vpcflow.aws.deliver import CloudWatchApiWriter, S3ApiWriter
from vpcflow.aws.session import AwsError, AwsSession, AwsSettings
from vpcflow.aws.sources import resolve
from vpcflow.fields import DEFAULT
from vpcflow.store.store import Store

from .proxy import FAULTS, FaultyProxy, Rule
from .records import ACCOUNT, records, totals

DAY = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp())


@pytest.fixture
def proxy(aws_env):
    p = FaultyProxy(aws_env.endpoint_url, rate=0.3, seed=11)
    yield p
    p.close()


@pytest.fixture
def proxied(aws_env, proxy) -> AwsSession:
    """A session that reaches moto only through the proxy, with a short backoff so tests stay quick."""
    return AwsSession(AwsSettings(region=aws_env.region, endpoint_url=proxy.url), boto_session=aws_env.boto_session())


def _ingest_totals(tmp_path, sources, **kw):
    with Store(tmp_path / "db.duckdb") as store:
        result = store.ingest(sources, **kw)
        n, b = store.con.execute("SELECT count(*), sum(bytes) FROM flows").fetchall()[0]
        ids = store.con.execute("SELECT count(*), count(DISTINCT identity) FROM sources").fetchall()[0]
    return result, (int(n), int(b)), ids


def test_s3_read_survives_throttling_500s_dropped_and_cut_connections(session, aws_env, proxied, proxy, tmp_path):
    aws_env.client("s3").create_bucket(Bucket="flows")
    recs = records(600, DAY, span=2 * 3600)
    writer = S3ApiWriter(
        session, "flows", "fl-0123456789abcdef0", account=ACCOUNT, region=aws_env.region, per_hour=True
    )
    writer.write(recs)
    writer.close()
    result, got, (n_sources, n_distinct) = _ingest_totals(tmp_path, list(resolve("s3://flows", proxied)))
    assert got == totals(recs)
    assert n_sources == n_distinct == len(writer.keys)
    assert set(proxy.faults) == set(FAULTS)


def test_cwl_read_survives_throttling_500s_dropped_and_cut_connections(session, proxied, proxy, tmp_path):
    proxy.rate = 0.6
    recs = records(1200, int(datetime.now(UTC).timestamp()) - 4 * 3600, span=3 * 3600)
    writer = CloudWatchApiWriter(session, "flows")
    writer.write(recs)
    writer.close()
    result, got, (n_sources, n_distinct) = _ingest_totals(
        tmp_path, list(resolve("cwl://flows", proxied)), format=DEFAULT
    )
    assert got == totals(recs)
    assert n_sources == n_distinct == 3
    assert set(proxy.faults) == set(FAULTS)


def _listed_prefixes(proxy) -> list[str]:
    return [
        unquote(parse_qs(urlsplit(r.split()[1]).query).get("prefix", [""])[0])
        for r in proxy.requests
        if r.startswith("GET /flows") and "list-type=2" in r
    ]


@pytest.fixture
def five_days(session, aws_env, proxy):
    """Twenty records a day for five days, in AWS's key layout; the proxy lets every request through."""
    aws_env.client("s3").create_bucket(Bucket="flows")
    writer = S3ApiWriter(session, "flows", "fl-0123456789abcdef0", account=ACCOUNT, region=aws_env.region)
    for day in range(5):
        writer.write(records(20, DAY + day * 86400, span=600, seed=day))
    writer.close()
    proxy.rate = 0.0


def test_s3_listing_does_not_descend_into_days_outside_the_window(five_days, aws_env, proxied, proxy, monkeypatch):
    monkeypatch.setattr(s3_source, "WHOLE_LISTING", 2)  # a bucket too large to list in one answer
    since = datetime.fromtimestamp(DAY + 2 * 86400 + 6 * 3600, UTC)  # away from midnight: days keep an hour's margin
    list(resolve("s3://flows", proxied, since=since, until=since + timedelta(hours=1)))
    day_folders = {p for p in _listed_prefixes(proxy) if p.count("/") >= 7}
    assert day_folders == {f"AWSLogs/{ACCOUNT}/vpcflowlogs/{aws_env.region}/2026/03/12/"}


def test_a_small_bucket_is_listed_in_one_answer_and_still_pruned_by_date(five_days, proxied, proxy):
    since = datetime.fromtimestamp(DAY + 2 * 86400, UTC)  # the first hour of the third day, which holds records
    sources = list(resolve("s3://flows", proxied, since=since, until=since + timedelta(hours=1)))
    assert _listed_prefixes(proxy) == [""]
    assert sources and all("/2026/03/12/" in s.identity for s in sources)


def _only(method: str, marker: str):
    return lambda command, path, headers, body: command == method and marker in (path + headers.get("X-Amz-Target", ""))


def test_expired_credentials_say_so(session, aws_env, proxied, proxy):
    aws_env.client("s3").create_bucket(Bucket="flows")
    proxy.rules.append(Rule(_only("GET", "/flows"), 400, "ExpiredToken", "The provided token has expired."))
    with pytest.raises(AwsError, match=r"s3://flows/: the AWS credentials have expired \(refresh them"):
        list(resolve("s3://flows", proxied))


def test_missing_s3_permission_names_the_object_and_the_action(session, aws_env, proxied, proxy):
    aws_env.client("s3").create_bucket(Bucket="flows")
    writer = S3ApiWriter(session, "flows", "fl-0123456789abcdef0", account=ACCOUNT, region=aws_env.region)
    writer.write(records(5, DAY, span=60))
    writer.close()
    proxy.rules.append(Rule(_only("GET", ".log.gz"), 403, "AccessDenied", "Access Denied"))
    with pytest.raises(AwsError) as err:
        list(resolve("s3://flows", proxied))
    assert str(err.value) == (
        f"s3://flows/{writer.keys[0]}: permission denied: the caller lacks s3:GetObject "
        f"(grant s3:GetObject on s3://flows/{writer.keys[0]} to this identity)"
    )


def test_missing_logs_permission_names_the_action_from_the_message(session, proxied, proxy):
    writer = CloudWatchApiWriter(session, "flows")
    writer.write(records(5, int(datetime.now(UTC).timestamp()) - 600, interfaces=("eni-0a1b2c3d4e5f60001",)))
    writer.close()
    message = (
        "User: arn:aws:iam::123456789012:user/reader is not authorized to perform: logs:GetLogEvents on "
        "resource: arn:aws:logs:us-east-1:123456789012:log-group:flows:log-stream:eni-0a1b2c3d4e5f60001-all"
    )
    proxy.rules.append(Rule(_only("POST", "GetLogEvents"), 400, "AccessDeniedException", message))
    with pytest.raises(
        AwsError,
        match=r"cwl://flows/eni-0a1b2c3d4e5f60001-all: permission denied: the caller "
        r"lacks logs:GetLogEvents",
    ):
        list(resolve("cwl://flows", proxied))


def test_missing_iam_permission_during_apply_names_the_role_and_the_action(aws_env, vpc, proxied, proxy):
    from vpcflow.aws.apply import apply
    from vpcflow.aws.plan import plan_apply
    from vpcflow.aws.request import make_request

    proxy.rate = 0.0
    denied = (
        "User: arn:aws:iam::123456789012:user/ops is not authorized to perform: iam:CreateRole on resource: "
        "arn:aws:iam::123456789012:role/vpcflow-flow-logs-2e9ecdb7a13c"
    )
    proxy.rules.append(Rule(lambda c, p, h, body: b"Action=CreateRole" in body, 403, "AccessDenied", denied))
    plan = plan_apply(proxied, make_request([vpc["vpc"]], "cloudwatch://flows"))
    with pytest.raises(
        AwsError,
        match=r"iam-role vpcflow-flow-logs-2e9ecdb7a13c: permission denied: the caller "
        r"lacks iam:CreateRole",
    ):
        apply(proxied, plan)


def test_a_healthy_stream_read_asks_once_per_page_and_once_to_see_the_end(session, proxied, proxy):
    proxy.rate = 0.0
    writer = CloudWatchApiWriter(session, "flows")
    writer.write(records(30, int(datetime.now(UTC).timestamp()) - 600, interfaces=("eni-0a1b2c3d4e5f60001",)))
    writer.close()
    list(resolve("cwl://flows", proxied))
    assert sum(r.endswith("GetLogEvents") for r in proxy.requests) == 2


def test_bodies_cut_short_on_every_attempt_fail_with_a_clear_error(aws_env, session, proxy):
    proxy.rate, proxy.kinds, proxy.max_faults_per_request = 1.0, ("cut-body",), 100
    writer = CloudWatchApiWriter(session, "flows")
    writer.write(records(5, int(datetime.now(UTC).timestamp()) - 600, interfaces=("eni-0a1b2c3d4e5f60001",)))
    writer.close()
    impatient = AwsSession(
        AwsSettings(region=aws_env.region, endpoint_url=proxy.url, max_attempts=2), boto_session=aws_env.boto_session()
    )
    with pytest.raises(AwsError, match=r"cwl://flows: AWS refused logs:DescribeLogGroups: RequestTimeout"):
        list(resolve("cwl://flows", impatient))
