"""Following an S3 prefix: each poll lists the prefix once, and what it counts as new is what it downloads."""

from __future__ import annotations

import pytest

from vpcflow.alert.follow import S3Follower
from vpcflow.aws.session import AwsSession, AwsSettings

from .proxy import FaultyProxy

PREFIX = "AWSLogs/123456789010/vpcflowlogs/us-east-1/2023/11/14/"
LINE = "2 123456789010 eni-0a1b 10.0.0.1 10.0.0.2 443 49152 6 10 840 1700000000 1700000060 ACCEPT OK\n"


@pytest.fixture
def proxy(aws_env):
    p = FaultyProxy(aws_env.endpoint_url)  # no faults: it records each request
    yield p
    p.close()


def _key(i: int) -> str:
    return f"{PREFIX}123456789010_vpcflowlogs_us-east-1_fl-0a1b_20231114T22{i:02d}Z_h{i}.log"


def _put(aws_env, i: int) -> None:
    aws_env.client("s3").put_object(Bucket="flow-logs", Key=_key(i), Body=("version account-id interface-id srcaddr "
                                    "dstaddr srcport dstport protocol packets bytes start end action log-status\n"
                                    + LINE).encode())


def test_a_poll_lists_the_prefix_once_and_downloads_only_the_new_objects(aws_env, proxy):
    aws_env.client("s3").create_bucket(Bucket="flow-logs")
    for i in range(3):
        _put(aws_env, i)
    session = AwsSession(AwsSettings(region=aws_env.region, endpoint_url=proxy.url), boto_session=aws_env.boto_session())
    taken = {f"s3://flow-logs/{_key(0)}"}
    proxy.requests.clear()

    count, sources = S3Follower("s3://flow-logs/AWSLogs/", session).poll(lambda identity, _: identity in taken)
    identities = [s.identity for s in sources]

    listings = [r for r in proxy.requests if r.startswith("GET /flow-logs?") and "list-type=2" in r]
    downloads = [r for r in proxy.requests if r.startswith("GET /flow-logs/AWSLogs/")]
    assert (count, identities) == (2, [f"s3://flow-logs/{_key(1)}", f"s3://flow-logs/{_key(2)}"])
    assert len(listings) == 1, proxy.requests
    assert sorted(downloads) == sorted(f"GET /flow-logs/{_key(i)}" for i in (1, 2))


def test_a_poll_with_nothing_new_downloads_nothing(aws_env, proxy):
    aws_env.client("s3").create_bucket(Bucket="flow-logs")
    _put(aws_env, 0)
    session = AwsSession(AwsSettings(region=aws_env.region, endpoint_url=proxy.url), boto_session=aws_env.boto_session())
    proxy.requests.clear()

    count, sources = S3Follower("s3://flow-logs/AWSLogs/", session).poll(lambda identity, version: True)

    assert (count, list(sources)) == (0, [])
    assert not [r for r in proxy.requests if r.startswith("GET /flow-logs/AWSLogs/")], proxy.requests
