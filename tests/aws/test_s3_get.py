"""Objects are fetched by a header-signed GET; whatever that does not answer whole is asked again through
GetObject, so retries and error messages stay the SDK's. Every SDK call carries botocore's invocation id;
the quick GET does not, which is how the proxy tells them apart."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from vpcflow.aws.deliver import S3ApiWriter
from vpcflow.aws.s3_get import REFUSALS_IN_A_ROW, SignedGetter
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


def _quick(command: str, path: str, headers: dict, body: bytes) -> bool:
    """A GET of the quick path: signed in its headers, without the SDK's invocation id."""
    names = {k.lower() for k in headers}
    return command == "GET" and "authorization" in names and "amz-sdk-invocation-id" not in names


@pytest.fixture(autouse=True)
def _note_gets(proxy):
    """Every GET's (path, sent by the quick path), noted by a rule that answers none."""
    proxy.gets = []

    def note(command: str, path: str, headers: dict, body: bytes) -> bool:
        if command == "GET":
            proxy.gets.append((path, _quick(command, path, headers, body)))
        return False

    proxy.rules.append(Rule(note, 500, "", ""))


def _object_gets(proxy, keys) -> list[tuple[str, bool]]:
    return [(path, quick) for path, quick in proxy.gets if any(k in path for k in keys)]


def test_objects_are_fetched_by_a_header_signed_get(delivered, proxied, proxy, tmp_path):
    recs, keys = delivered
    assert _read(tmp_path, proxied) == totals(recs)
    gets = _object_gets(proxy, keys)
    assert len(gets) == len(keys)
    assert all(quick and "X-Amz-Signature=" not in path for path, quick in gets)  # a short URL: signed in headers


def test_a_refused_quick_get_is_asked_again_through_get_object(delivered, proxied, proxy, tmp_path):
    recs, keys = delivered
    proxy.rules.append(Rule(_quick, 403, "AccessDenied", "denied by policy"))
    assert _read(tmp_path, proxied) == totals(recs)
    gets = _object_gets(proxy, keys)
    assert sum(not quick for _, quick in gets) == len(keys)  # each object once through GetObject


def test_after_repeated_refusals_quick_gets_stop(delivered, proxied, proxy):
    _, keys = delivered
    proxy.rules.append(Rule(_quick, 403, "AccessDenied", "denied"))
    getter = SignedGetter(proxied)
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
        download(session, stale, SignedGetter(session))


def test_refusals_between_whole_answers_do_not_add_up_to_a_stop(delivered, proxied, proxy):
    _, keys = delivered
    refuse = {"on": True}
    proxy.rules.append(Rule(lambda c, p, h, b: refuse["on"] and _quick(c, p, h, b), 503, "SlowDown", "slow down"))
    getter = SignedGetter(proxied)
    etag = proxied.client("s3").head_object(Bucket="flows", Key=keys[0])["ETag"].strip('"')
    for _ in range(3):  # a throttled spell, then a whole answer, again and again
        refuse["on"] = True
        for _ in range(REFUSALS_IN_A_ROW - 1):
            assert getter.get("flows", keys[0], etag) is None
        refuse["on"] = False
        assert getter.get("flows", keys[0], etag) is not None
    assert getter.usable


def test_a_key_with_spaces_plus_signs_and_accents_is_fetched_by_the_quick_get(aws_env, proxied, proxy):
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flows")
    key = "odd names/a b+c=d ü~(1).log"
    etag = s3.put_object(Bucket="flows", Key=key, Body=b"version\n")["ETag"].strip('"')
    assert SignedGetter(proxied).get("flows", key, etag) == b"version\n"
    assert [quick for _, quick in proxy.gets] == [True]
