"""Which AWS account, region and endpoint: flags, then VPCFLOW_AWS_* and AWS_* environment, then vpcflow.toml's [aws]."""

from __future__ import annotations

import json

import pytest

from vpcflow import config
from vpcflow.aws.session import AwsSettings
from vpcflow.cli.main import main
from vpcflow.errors import VpcFlowError

FILE = {"profile": "filep", "region": "eu-west-3", "endpoint_url": "http://127.0.0.1:3"}


def _resolved(s: AwsSettings) -> tuple:
    return s.profile, s.region, s.endpoint_url


def test_the_file_is_used_when_neither_flags_nor_environment_say():
    assert _resolved(AwsSettings.resolve({}, FILE)) == ("filep", "eu-west-3", "http://127.0.0.1:3")


def test_the_environment_wins_over_the_file():
    env = {"AWS_PROFILE": "envp", "AWS_DEFAULT_REGION": "us-east-2", "AWS_ENDPOINT_URL": "http://127.0.0.1:1"}
    assert _resolved(AwsSettings.resolve(env, FILE)) == ("envp", "us-east-2", "http://127.0.0.1:1")


def test_vpcflow_variables_win_over_the_aws_cli_ones():
    env = {
        "AWS_PROFILE": "envp", "VPCFLOW_AWS_PROFILE": "ours",
        "AWS_REGION": "eu-west-1", "VPCFLOW_AWS_REGION": "ap-south-1",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:1", "VPCFLOW_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    assert _resolved(AwsSettings.resolve(env, FILE)) == ("ours", "ap-south-1", "http://127.0.0.1:9")


def test_flags_win_over_environment_and_file():
    env = {"VPCFLOW_AWS_PROFILE": "ours", "AWS_REGION": "eu-west-1"}
    s = AwsSettings.resolve(env, FILE, profile="flagp", region="us-west-2", endpoint_url="http://127.0.0.1:2")
    assert _resolved(s) == ("flagp", "us-west-2", "http://127.0.0.1:2")


def test_the_aws_section_of_vpcflow_toml_is_read(tmp_path):
    path = tmp_path / "vpcflow.toml"
    path.write_text('[aws]\nprofile = "audit"\nregion = "eu-west-1"\n')
    assert config.load(path, env={}).aws == {"profile": "audit", "region": "eu-west-1"}


def test_an_unknown_aws_setting_is_refused_with_the_known_ones(tmp_path):
    path = tmp_path / "vpcflow.toml"
    path.write_text('[aws]\nregoin = "eu-west-1"\n')
    with pytest.raises(VpcFlowError, match=r"unknown setting aws.regoin \(\[aws\] settings are: profile, region, "
                                           r"endpoint_url\)"):
        config.load(path, env={})


@pytest.fixture
def toml_only(aws_env, tmp_path, monkeypatch):
    """moto's endpoint and region known only from ./vpcflow.toml; the credentials stay in the environment."""
    for key in ("AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "VPCFLOW_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "vpcflow.toml").write_text(
        f'[aws]\nregion = "{aws_env.region}"\nendpoint_url = "{aws_env.endpoint_url}"\n'
    )
    return aws_env


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_reach_the_endpoint_vpcflow_toml_names(toml_only, vpc, capsys):
    code, _, err = _run(capsys, "aws", "apply", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "--yes")
    assert code == 0, err
    code, out, err = _run(capsys, "aws", "status", "-o", "json")
    assert code == 0, err
    assert [r["resource"] for r in json.loads(out)] == [vpc["vpc"]]


def test_a_region_flag_wins_over_vpcflow_toml(toml_only, vpc, capsys):
    assert _run(capsys, "aws", "apply", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "--yes")[0] == 0
    code, out, err = _run(capsys, "aws", "status", "-o", "json", "--region", "eu-west-3")
    assert code == 0, err
    assert json.loads(out) == []  # the flow log lives in the file's region, not the flag's


def test_no_region_anywhere_is_one_line_that_names_every_place_to_set_it(aws_env, tmp_path, monkeypatch, capsys):
    for key in ("AWS_REGION", "AWS_DEFAULT_REGION", "VPCFLOW_CONFIG"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    code, out, err = _run(capsys, "aws", "status")
    assert (code, out) == (1, "")
    assert err == ("error: no AWS region set (pass --region, set AWS_REGION, or set region in the profile or "
                   "vpcflow.toml's [aws])\n")
