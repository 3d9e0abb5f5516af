"""Every command that talks to AWS takes --profile, --region and --endpoint-url the same way (cli/common's
takes_aws), and each layer that can name them (the flag, VPCFLOW_AWS_*, vpcflow.toml's [aws]) reaches the
library call: `vpcflow read s3://...` reads moto's server over HTTP only through the layer under test."""

from __future__ import annotations

import pytest
import requests
import typer

from vpcflow.cli.common import AWS_OPTIONS

RECORDS = (b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end "
           b"action log-status\n"
           b"2 123456789012 eni-0a1b2c3d4e5f60718 10.0.1.5 10.0.2.9 49152 443 6 10 8400 1770000000 1770000060 "
           b"ACCEPT OK\n"
           b"2 123456789012 eni-0a1b2c3d4e5f60718 198.51.100.7 10.0.1.5 51000 22 6 1 40 1770000000 1770000060 "
           b"REJECT OK\n")
KEY = "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/02/02/flows.log"
UNREACHABLE = "http://127.0.0.1:9"  # the discard port: nothing listens, so a request sent there fails


def _commands(group, path: tuple = ()):
    for name, command in group.commands.items():
        if hasattr(command, "commands"):  # a group of subcommands
            yield from _commands(command, path + (name,))
        else:
            yield " ".join(path + (name,)), command


def _aws_commands() -> dict[str, dict]:
    """Each command with an AWS option: its options by flag."""
    from vpcflow.cli.main import app

    out = {}
    for name, command in _commands(typer.main.get_command(app)):
        flags = {flag: p for p in command.params if p.param_type_name == "option" for flag in p.opts}
        if {"--profile", "--endpoint-url"} & set(flags):
            out[name] = flags
    return out


def test_every_command_that_talks_to_aws_takes_all_three_options_with_the_shared_help():
    commands = _aws_commands()
    assert {"read", "serve", "filter", "watch", "aws status", "aws audit", "diagnose", "athena run"} <= set(commands)
    for name, flags in commands.items():
        for flag, text in AWS_OPTIONS.values():
            assert flag in flags, f"{name} lacks {flag}"
            if flag != "--region":  # a command over several regions says what its repeatable --region means
                assert flags[flag].help == text, f"{name} {flag}"


def test_commands_over_one_region_share_the_region_help_too():
    commands = _aws_commands()
    several = {name for name, flags in commands.items() if flags["--region"].multiple}
    assert several == {"aws audit", "athena ddl"}
    assert all(commands[name]["--region"].help == AWS_OPTIONS["region"][1] for name in set(commands) - several)


@pytest.fixture
def bucket(aws_env, tmp_path, monkeypatch):
    """Flow-log records in moto's S3, and an environment that names no endpoint: each test gives one itself.
    Below every layer, the AWS config file's default profile names an unreachable one, so a layer that is lost
    fails the read (and nothing goes to AWS)."""
    s3 = aws_env.client("s3")
    s3.create_bucket(Bucket="flow-archive")
    s3.put_object(Bucket="flow-archive", Key=KEY, Body=RECORDS)
    for name in ("AWS_ENDPOINT_URL", "VPCFLOW_AWS_ENDPOINT_URL", "VPCFLOW_AWS_PROFILE", "VPCFLOW_AWS_REGION",
                 "VPCFLOW_CONFIG", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "aws-config").write_text(f"[default]\nendpoint_url = {UNREACHABLE}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "aws-config"))
    monkeypatch.chdir(tmp_path)  # ./vpcflow.toml is the test's own
    return aws_env


def _read(cli, *options: str):
    result = cli("read", "s3://flow-archive/AWSLogs/", "--output", "json", *options)
    assert result.code == 0, result.err
    return [(r["srcaddr"], r["dstport"], r["action"]) for r in result.json()]


READ = [("10.0.1.5", 443, "ACCEPT"), ("198.51.100.7", 22, "REJECT")]


def test_the_endpoint_flag_reaches_the_read(cli, bucket):
    assert _read(cli, "--endpoint-url", bucket.endpoint_url) == READ


def test_the_endpoint_variable_reaches_the_read(cli, bucket, monkeypatch):
    monkeypatch.setenv("VPCFLOW_AWS_ENDPOINT_URL", bucket.endpoint_url)
    assert _read(cli) == READ


def test_the_endpoint_in_vpcflow_toml_reaches_the_read(cli, bucket, tmp_path):
    (tmp_path / "vpcflow.toml").write_text(f'[aws]\nendpoint_url = "{bucket.endpoint_url}"\n')
    assert _read(cli) == READ


def test_the_flag_wins_over_the_variable_which_wins_over_vpcflow_toml(cli, bucket, tmp_path, monkeypatch):
    (tmp_path / "vpcflow.toml").write_text(f'[aws]\nendpoint_url = "{UNREACHABLE}"\n')
    monkeypatch.setenv("VPCFLOW_AWS_ENDPOINT_URL", bucket.endpoint_url)
    assert _read(cli) == READ
    monkeypatch.setenv("VPCFLOW_AWS_ENDPOINT_URL", UNREACHABLE)
    assert _read(cli, "--endpoint-url", bucket.endpoint_url) == READ


@pytest.fixture
def profile_file(bucket, tmp_path):
    """A profile `lab` in the AWS config file, holding moto's endpoint (and keys: a named profile takes none
    from the environment)."""
    with (tmp_path / "aws-config").open("a") as config:
        config.write(f"[profile lab]\nendpoint_url = {bucket.endpoint_url}\naws_access_key_id = {bucket.access_key}\n"
                     f"aws_secret_access_key = {bucket.secret_key}\n")
    return "lab"


def test_the_profile_flag_reaches_the_read(cli, profile_file):
    assert _read(cli, "--profile", profile_file) == READ


def test_the_profile_variable_reaches_the_read(cli, profile_file, monkeypatch):
    monkeypatch.setenv("VPCFLOW_AWS_PROFILE", profile_file)
    assert _read(cli) == READ


def test_the_profile_in_vpcflow_toml_reaches_the_read(cli, profile_file, tmp_path):
    (tmp_path / "vpcflow.toml").write_text(f'[aws]\nprofile = "{profile_file}"\n')
    assert _read(cli) == READ



def test_athena_run_reaches_the_endpoint_in_vpcflow_toml(cli, bucket, tmp_path):
    """athena run once read only the environment; now the file's [aws] too, like every other command."""
    column = {"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": "flows", "Label": "flows",
              "Type": "bigint", "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": False}
    rows = [{"Data": [{"VarCharValue": "flows"}]}, {"Data": [{"VarCharValue": "7"}]}]
    seeded = {"account_id": bucket.account, "region": bucket.region, "results": [{"rows": rows, "column_info": [column]}]}
    requests.post(f"{bucket.endpoint_url}/moto-api/static/athena/query-results", json=seeded,
                  timeout=10).raise_for_status()
    (tmp_path / "vpcflow.toml").write_text(f'[aws]\nendpoint_url = "{bucket.endpoint_url}"\n')
    result = cli("athena", "run", "rejected-ports", "--output-location", "s3://results/", "-o", "json")
    assert result.code == 0, result.err
    assert result.json() == [{"flows": 7}]
