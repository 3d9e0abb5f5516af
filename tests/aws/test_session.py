"""Settings follow the AWS CLI: flags win over the environment; AWS_REGION wins over AWS_DEFAULT_REGION."""

from __future__ import annotations

import pytest

from vpcflow.aws.session import AwsError, AwsSession, AwsSettings


def test_flags_win_over_environment():
    env = {"AWS_PROFILE": "envp", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}
    s = AwsSettings.resolve(env, profile="flagp", region="us-west-2", endpoint_url="http://127.0.0.1:2")
    assert (s.profile, s.region, s.endpoint_url) == ("flagp", "us-west-2", "http://127.0.0.1:2")


def test_environment_is_used_when_no_flags():
    env = {"AWS_PROFILE": "envp", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}
    s = AwsSettings.resolve(env)
    assert (s.profile, s.region, s.endpoint_url) == ("envp", "eu-west-1", "http://127.0.0.1:1")


def test_aws_region_wins_over_aws_default_region():
    assert AwsSettings.resolve({"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "us-east-2"}).region == "eu-west-1"
    assert AwsSettings.resolve({"AWS_DEFAULT_REGION": "us-east-2"}).region == "us-east-2"


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    with pytest.raises(AwsError, match="AWS profile 'nope' is not in"):
        AwsSession(AwsSettings(profile="nope", region="us-east-1"))


def test_session_reaches_the_endpoint_and_learns_the_account(aws_env):
    session = AwsSession(AwsSettings.resolve(aws_env.environ))
    assert session.account_id() == aws_env.account
    assert session.region == aws_env.region
