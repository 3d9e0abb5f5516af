"""Objects are fetched by presigned GET; whatever that does not answer whole is asked again through
GetObject, so retries and error messages stay the SDK's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vpcflow.aws.deliver import S3ApiWriter
from vpcflow.aws.s3_get import REFUSALS_IN_A_ROW, PresignedGetter
from vpcflow.aws.s3_source import S3Object, download
from vpcflow.aws.session import AwsError, AwsSession, AwsSettings
from vpcflow.aws.sources import resolve
from vpcflow.store.store import Store

from .proxy import FaultyProxy, Rule
from .records import ACCOUNT, records, totals

DAY = int(datetime(2026, 3, 10, tzinfo=UTC).timestamp())


@pytest.fixture
def proxy(aws_env):
    p = FaultyProxy(aws_env.endpoint_url)
    yield p
    p.close()


@pytest.fixture
def proxied(aws_env, proxy) -> AwsSession:
    return AwsSession(AwsSettings(region=aws_env.region, endpoint_url=proxy.url), boto_session=aws_env.boto_session())


@pytest.fixture
def delivered(session, aws_env):
    aws_env.client("s3").create_bucket(Bucket="flows")
    recs = records(300, DAY, span=3 * 3600)
    writer = S3ApiWriter(session, "flows", "fl-0123456789abcdef0", account=ACCOUNT, region=aws_env.region,
                         per_hour=True)
    writer.write(recs)
    writer.close()
    return recs, writer.keys


def _read(tmp_path, session) -> tuple[int, int]:
    with Store(tmp_path / "db.duckdb") as store:
        store.ingest(resolve("s3://flows", session))
        n, b = store.con.execute("SELECT count(*), sum(bytes) FROM flows").fetchall()[0]
    return int(n), int(b)


def _object_gets(proxy, keys) -> list[str]:
    return [r for r in proxy.requests if r.startswith("GET ") and any(k in r for k in keys)]


def test_objects_are_fetched_by_presigned_get(delivered, proxied, proxy, tmp_path):
    recs, keys = delivered
    assert _read(tmp_path, proxied) == totals(recs)
    gets = _object_gets(proxy, keys)
    assert len(gets) == len(keys)
    assert all("X-Amz-Signature=" in r for r in gets)


def test_a_refused_presigned_get_is_asked_again_through_get_object(delivered, proxied, proxy, tmp_path):
    recs, keys = delivered
    presigned = lambda command, path, headers, body: command == "GET" and "X-Amz-Signature=" in path  # noqa: E731
    proxy.rules.append(Rule(presigned, 403, "AccessDenied", "presigned requests are denied by policy"))
    assert _read(tmp_path, proxied) == totals(recs)
    gets = _object_gets(proxy, keys)
    assert sum("X-Amz-Signature=" not in r for r in gets) == len(keys)  # each object once through GetObject


def test_after_repeated_refusals_presigned_gets_stop(delivered, proxied, proxy):
    _, keys = delivered
    proxy.rules.append(Rule(lambda c, p, h, b: "X-Amz-Signature=" in p, 403, "AccessDenied", "denied"))
    getter = PresignedGetter(proxied)
    etag = proxied.client("s3").head_object(Bucket="flows", Key=keys[0])["ETag"].strip('"')
    while getter.usable:
        assert getter.get("flows", keys[0], etag) is None
    before = len(proxy.requests)
    assert getter.get("flows", keys[0], etag) is None
    assert len(proxy.requests) == before  # no request once it stopped paying off


def test_an_object_changed_since_listing_fails_with_the_sdk_error_naming_it(delivered, session):
    _, keys = delivered
    stale = S3Object("flows", keys[0], etag="0" * 32, size=1)
    with pytest.raises(AwsError, match=f"s3://flows/{keys[0]}"):
        download(session, stale, PresignedGetter(session))


def test_refusals_between_whole_answers_do_not_add_up_to_a_stop(delivered, proxied, proxy):
    _, keys = delivered
    refuse = {"on": True}
    proxy.rules.append(Rule(lambda c, p, h, b: refuse["on"] and "X-Amz-Signature=" in p, 503, "SlowDown", "slow down"))
    getter = PresignedGetter(proxied)
    etag = proxied.client("s3").head_object(Bucket="flows", Key=keys[0])["ETag"].strip('"')
    for _ in range(3):  # a throttled spell, then a whole answer, again and again
        refuse["on"] = True
        for _ in range(REFUSALS_IN_A_ROW - 1):
            assert getter.get("flows", keys[0], etag) is None
        refuse["on"] = False
        assert getter.get("flows", keys[0], etag) is not None
    assert getter.usable
