"""The `vpcflow aws` commands, run in-process against moto through AWS_ENDPOINT_URL, as a user would."""

from __future__ import annotations

import json

from vpcflow.cli.main import main


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_plan_prints_the_changes_as_json(aws_env, vpc, capsys):
    code, out, _ = _run(capsys, "aws", "plan", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "-o", "json")
    assert code == 0
    assert sorted((c["action"], c["kind"]) for c in json.loads(out)["changes"]) == [
        ("create", "flow-log"),
        ("create", "iam-role"),
        ("create", "iam-role-policy"),
        ("create", "log-group"),
    ]


def test_apply_twice_reports_nothing_to_change(aws_env, vpc, capsys):
    args = ["aws", "apply", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "--interval", "60", "--yes"]
    assert _run(capsys, *args)[0] == 0
    code, _, err = _run(capsys, *args)
    assert code == 0 and "nothing to change" in err


def test_apply_without_yes_and_without_a_terminal_asks_for_yes(aws_env, vpc, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    code, _, err = _run(capsys, "aws", "apply", "-r", vpc["vpc"], "-d", "cloudwatch://flows")
    assert code == 1 and "error: apply 4 change(s) needs confirmation (pass --yes" in err


def test_status_lists_flow_logs_and_what_each_can_feed(aws_env, vpc, capsys):
    _run(capsys, "aws", "apply", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "--yes")
    _run(
        capsys,
        "aws",
        "apply",
        "-r",
        vpc["subnet"],
        "-d",
        "cloudwatch://flows",
        "--interval",
        "60",
        "--format",
        "detections",
        "--yes",
    )
    code, out, _ = _run(capsys, "aws", "status", "--output", "json")
    rows = {r["resource"]: r for r in json.loads(out)}
    default, full = rows[vpc["vpc"]], rows[vpc["subnet"]]
    assert (default["destination"], default["interval"], default["delivery_status"]) == (
        "cloudwatch://flows",
        600,
        "SUCCESS",
    )
    assert "top-vpc: format lacks vpc-id" in default["analyses_not"]
    assert "ssh-brute-force: format lacks tcp-flags (runs degraded)" in default["analyses_not"]
    assert full["analyses_not"] == [] and "beaconing" in full["analyses_ok"]


def test_status_says_a_600_second_interval_is_too_coarse(aws_env, vpc, capsys):
    _run(capsys, "aws", "apply", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "--format", "detections", "--yes")
    [row] = json.loads(_run(capsys, "aws", "status", "-o", "json")[1])
    assert any(n.startswith("beaconing: 600 s interval too coarse") for n in row["analyses_not"])


def test_destroy_says_delivered_data_stays(aws_env, vpc, capsys):
    _run(capsys, "aws", "apply", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "--yes")
    code, out, err = _run(capsys, "aws", "destroy", "-r", vpc["vpc"], "-d", "cloudwatch://flows", "--yes", "-o", "json")
    assert code == 0
    assert any("delivered records stay in log group flows" in n for n in json.loads(out)["notes"])


def test_partial_failure_exits_1_and_names_the_resource(aws_env, vpc, capsys):
    # moto gap: an S3 prefix in LogDestination is reported Unsuccessful by moto (AWS accepts it)
    code, _, err = _run(capsys, "aws", "apply", "-r", vpc["vpc"], "-d", "s3://flow-bucket/team-a", "--yes")
    assert code == 1 and f"error: {vpc['vpc']}: CreateFlowLogs failed" in err


def test_terraform_is_written_without_contacting_aws(capsys, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")  # nothing listens there
    code, out, _ = _run(capsys, "aws", "plan", "-r", "vpc-0a1b2c3d4e5f60001", "-d", "s3://b", "--terraform", "-")
    assert code == 0 and 'resource "aws_flow_log" "vpc_0a1b2c3d4e5f60001"' in out


def test_bad_tag_is_a_one_line_error(capsys):
    code, _, err = _run(capsys, "aws", "plan", "-r", "vpc-1", "-d", "s3://b", "--tag", "novalue", "--terraform", "-")
    assert code == 1 and err.strip() == "error: tag 'novalue' is not KEY=VALUE"


def test_unknown_destination_is_a_one_line_error(capsys):
    code, _, err = _run(capsys, "aws", "plan", "-r", "vpc-1", "-d", "ftp://x", "--terraform", "-")
    assert code == 1 and "unknown destination 'ftp://x'" in err
