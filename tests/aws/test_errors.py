"""`aws_call` turns botocore's errors, and only those, into an AwsError naming the resource and the next step."""

from __future__ import annotations

import socket

import botocore.exceptions
import pytest

from vpcflow.aws.errors import AwsError, aws_call, explain
from vpcflow.aws.plan import current_bucket_policy
from vpcflow.aws.session import AwsSession, AwsSettings
from vpcflow.errors import VpcFlowError


def test_a_bug_inside_an_aws_call_surfaces_as_itself(session):
    with pytest.raises(TypeError), aws_call("s3:ListAllMyBuckets", "the account"):
        session.client("s3").list_buckets()["Buckets"] + 1  # a list plus a number: a bug, not AWS trouble


def test_an_aws_refusal_becomes_an_aws_error_naming_the_resource(session):
    with pytest.raises(AwsError) as raised, aws_call("s3:GetBucketPolicy", "s3://no-such-bucket"):
        session.client("s3").get_bucket_policy(Bucket="no-such-bucket")
    err = raised.value
    assert isinstance(err, VpcFlowError)
    assert (err.location, err.code) == ("s3://no-such-bucket", "NoSuchBucket")
    assert str(err).startswith("s3://no-such-bucket: not found (NoSuchBucket")
    assert err.hint == "check the name, the account and --region"
    assert isinstance(err.__cause__, botocore.exceptions.ClientError)


def test_an_unreachable_endpoint_becomes_an_aws_error_with_a_hint(aws_env):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    session = AwsSession(
        AwsSettings(region=aws_env.region, endpoint_url=f"http://127.0.0.1:{port}", max_attempts=1),
        boto_session=aws_env.boto_session(),
    )
    with pytest.raises(AwsError, match=r"^s3://flows: cannot reach AWS for s3:ListBucket: .*"
                                       r"\(check the network, --region and --endpoint-url\)$"):
        with aws_call("s3:ListBucket", "s3://flows"):
            session.client("s3").list_objects_v2(Bucket="flows")


def test_a_tolerated_error_code_ends_the_block_quietly_and_is_kept(session):
    session.client("s3").create_bucket(Bucket="flows")
    with aws_call("s3:GetBucketPolicy", "s3://flows", tolerate={"NoSuchBucketPolicy"}) as call:
        session.client("s3").get_bucket_policy(Bucket="flows")
    assert (call.tolerated, call.code) == (True, "NoSuchBucketPolicy")


def test_a_call_that_succeeds_tolerated_nothing(session):
    with aws_call("s3:ListAllMyBuckets", "the account", tolerate={"NoSuchBucket"}) as call:
        session.client("s3").list_buckets()
    assert (call.tolerated, call.code) == (False, None)


def test_an_error_outside_the_tolerated_codes_is_still_raised(session):
    with pytest.raises(AwsError, match="NoSuchBucket"):
        current_bucket_policy(session, "no-such-bucket")  # tolerates NoSuchBucketPolicy only


def test_explain_takes_botocore_errors_only():
    with pytest.raises(TypeError, match="explain\\(\\) takes botocore's errors, not ValueError"):
        explain(ValueError("a bug"), "s3://flows", "s3:GetObject")


@pytest.mark.parametrize(("code", "retries", "says", "hint"), [
    ("ThrottlingException", 3, "AWS kept throttling logs:GetLogEvents after 4 attempts",
     "run again later or lower the parallelism"),
    ("InvalidClientTokenId", 0, "AWS does not accept these credentials (InvalidClientTokenId)",
     "check AWS_PROFILE / --profile and the access key"),
    ("ResourceNotFoundException", 0, "not found (ResourceNotFoundException: gone)",
     "check the name, the account and --region"),
])
def test_each_kind_of_refusal_says_what_happened_and_what_to_do(code, retries, says, hint):
    refusal = botocore.exceptions.ClientError(
        {"Error": {"Code": code, "Message": "gone"}, "ResponseMetadata": {"RetryAttempts": retries}},
        "GetLogEvents")
    err = explain(refusal, "cwl://flows", "logs:GetLogEvents")
    assert (err.message, err.hint, err.location) == (says, hint, "cwl://flows")
