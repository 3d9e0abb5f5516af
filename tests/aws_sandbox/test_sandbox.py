"""`vpcflow aws sandbox` on moto's server over HTTP: the plan, what up builds, status, traffic, and down."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.aws_sandbox.conftest import SSH_FROM
from tests.aws_sandbox.snapshot import account_snapshot
from vpcflow.aws import policies as P
from vpcflow.aws.sandbox import (
    SANDBOX_TAG,
    SandboxSpec,
    down,
    inventory,
    plan_up,
    resolve_ssh_from,
    status,
    traffic,
    up,
)
from vpcflow.aws.sandbox.spec import AMI_PARAMETER
from vpcflow.errors import VpcFlowError
from vpcflow.fields import PRESETS


@pytest.fixture
def built(session, spec):
    return up(session, plan_up(session, spec))


def _up_cli(cli, *extra):
    return cli("aws", "sandbox", "up", "--name", "lab", "--ssh-from", SSH_FROM, *extra)


def test_up_then_down_leaves_the_account_as_it_was(cli, aws_env):
    before = account_snapshot(aws_env)
    assert _up_cli(cli, "--yes", "--output", "json").code == 0
    assert account_snapshot(aws_env) != before
    result = cli("aws", "sandbox", "down", "--name", "lab", "--yes")
    assert result.code == 0, result.err
    assert account_snapshot(aws_env) == before


def test_up_shows_the_plan_and_hourly_cost_and_creates_nothing_unconfirmed(cli, aws_env):
    before = account_snapshot(aws_env)
    result = _up_cli(cli)
    assert result.code == 1
    assert "needs confirmation" in result.err
    assert "estimated cost per hour" in result.out and "t3.micro instance" in result.out
    assert "lab-vpc" in result.out and "public IPv4 address" in result.out
    assert account_snapshot(aws_env) == before


def test_plan_estimates_instances_addresses_volumes_and_ingestion(session, spec):
    plan = plan_up(session, spec)
    items = [line.item for line in plan.cost]
    assert items[:2] == ["t3.micro instance", "public IPv4 address"]
    assert any("flow-log ingestion" in i for i in items)
    assert 0.02 < plan.hourly_usd < 0.05  # two t3.micro at $0.0104 plus two addresses at $0.005


def test_every_resource_up_creates_carries_the_sandbox_tag(session, spec, built, aws_env):
    inv = inventory(session, spec)
    assert sorted({i.kind for i in inv.items}) == sorted(
        [
            "vpc",
            "subnet",
            "internet-gateway",
            "route-table",
            "network-acl",
            "security-group",
            "instance",
            "flow-log",
            "log-group",
            "instance-profile",
            "instance-role",
            "delivery-role",
        ]
    )
    ec2 = aws_env.client("ec2")
    tagged = ec2.describe_tags(Filters=[{"Name": "key", "Values": [SANDBOX_TAG]}])["Tags"]
    ids = {t["ResourceId"] for t in tagged if t["Value"] == "lab"}
    for kind in ("vpc", "subnet", "internet-gateway", "route-table", "network-acl", "security-group", "instance"):
        assert set(inv.ids(kind)) <= ids, kind
    role = aws_env.client("iam").get_role(RoleName=P.role_name(spec.log_group))["Role"]
    assert {t["Key"]: t["Value"] for t in role["Tags"]}[SANDBOX_TAG] == "lab"


def test_subnets_are_two_halves_of_the_vpc_in_two_zones(session, spec, built, aws_env):
    subnets = aws_env.client("ec2").describe_subnets(SubnetIds=built.resources["subnet"])["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.244.0.0/25", "10.244.0.128/25"]
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    assert all(s["MapPublicIpOnLaunch"] for s in subnets)


def test_ssh_is_allowed_only_from_the_given_address(session, spec, built, aws_env):
    [sg] = aws_env.client("ec2").describe_security_groups(GroupIds=[built.resources["security-group"]])[
        "SecurityGroups"
    ]
    by_port = {p["FromPort"]: [r["CidrIp"] for r in p["IpRanges"]] for p in sg["IpPermissions"]}
    assert by_port == {80: ["0.0.0.0/0"], 22: [SSH_FROM]}


def test_without_ssh_from_no_ssh_is_opened(session, aws_env):
    result = up(session, plan_up(session, SandboxSpec(name="nossh")))
    [sg] = aws_env.client("ec2").describe_security_groups(GroupIds=[result.resources["security-group"]])[
        "SecurityGroups"
    ]
    assert [p["FromPort"] for p in sg["IpPermissions"]] == [80]


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "10.0.0.0/4"])
def test_ssh_from_the_whole_internet_is_refused(cidr):
    with pytest.raises(VpcFlowError, match="large part of the internet"):
        SandboxSpec(name="lab", ssh_from=cidr)


def test_ssh_from_auto_asks_the_checkip_lookup_once():
    asked = []
    assert resolve_ssh_from("auto", lookup=lambda: asked.append(1) or "198.51.100.23\n") == "198.51.100.23/32"
    assert asked == [1]
    assert resolve_ssh_from(None, lookup=lambda: asked.append(2)) is None
    assert asked == [1]


def test_instances_run_the_image_from_the_ssm_public_parameter(session, built, aws_env):
    # moto ships AWS's ami-amazon-linux-latest parameters, so no seeding is needed here
    image = aws_env.client("ssm").get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    reservations = aws_env.client("ec2").describe_instances(InstanceIds=built.resources["instance"])["Reservations"]
    instances = [i for r in reservations for i in r["Instances"]]
    assert [i["ImageId"] for i in instances] == [image, image]
    assert {i["InstanceType"] for i in instances} == {"t3.micro"}


def test_flow_log_has_every_field_at_60_seconds(session, spec, built, aws_env):
    [fl] = aws_env.client("ec2").describe_flow_logs(FlowLogIds=built.resources["flow-log"])["FlowLogs"]
    assert fl["ResourceId"] == built.resources["vpc"]
    assert fl["MaxAggregationInterval"] == 60
    assert fl["LogFormat"] == PRESETS["all"].log_format()
    assert fl["LogGroupName"] == spec.log_group


def test_up_refuses_a_name_already_in_use(session, spec, built):
    with pytest.raises(VpcFlowError, match="already has"):
        plan_up(session, spec)


def test_status_lists_resources_and_cost_with_no_records_yet(session, spec, built):
    st = status(session, spec).summary()
    assert st["exists"] and st["running_instances"] == 2
    assert st["estimated_usd_per_hour"] > 0
    assert (st["last_record_at"], st["records_arriving"]) == (None, False)


def test_status_sees_records_arriving(session, spec, built, aws_env):
    logs = aws_env.client("logs")
    logs.create_log_stream(logGroupName=spec.log_group, logStreamName="eni-0123456789abcdef0-all")
    now = dt.datetime.now(dt.UTC)
    logs.put_log_events(
        logGroupName=spec.log_group,
        logStreamName="eni-0123456789abcdef0-all",
        logEvents=[{"timestamp": int(now.timestamp() * 1000), "message": "2 123456789012 eni-0123 ..."}],
    )
    st = status(session, spec, now=now + dt.timedelta(minutes=2))
    assert st.records_arriving and st.last_record_at is not None


def test_status_of_a_missing_sandbox_says_it_does_not_exist(cli, aws_env):
    result = cli("aws", "sandbox", "status", "--name", "nothing", "--output", "json")
    assert result.code == 0
    assert result.json()["exists"] is False


def test_traffic_sends_requests_and_a_scan_to_the_other_instance_through_ssm(session, spec, built, aws_env):
    # moto gap: instances do not run and SSM does not execute commands, so only the request is checked here
    run = traffic(session, spec)
    reservations = aws_env.client("ec2").describe_instances(InstanceIds=[run.target])["Reservations"]
    target_ip = reservations[0]["Instances"][0]["PrivateIpAddress"]
    [command] = aws_env.client("ssm").list_commands(CommandId=run.command_id)["Commands"]
    assert command["DocumentName"] == "AWS-RunShellScript"
    # moto gap: with no Targets, moto's SendCommand adds every instance of the account (in set order) to those asked
    assert run.source in command["InstanceIds"] and run.source != run.target
    script = "\n".join(command["Parameters"]["commands"])
    assert f"http://{target_ip}/" in script and f"/dev/tcp/{target_ip}/" in script
    assert run.status == "Success"


def test_traffic_needs_two_running_instances(session, spec):
    with pytest.raises(VpcFlowError, match="traffic needs two"):
        traffic(session, spec)


def test_down_twice_deletes_nothing_the_second_time(session, spec, built):
    down(session, spec)
    again = down(session, spec)
    assert again.deleted == []
    assert "nothing to delete" in again.notes[0]


def test_down_never_touches_untagged_resources(session, spec, built, aws_env):
    ec2 = aws_env.client("ec2")
    other_vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    other_sg = ec2.create_security_group(GroupName="lab-web", Description="same name, not tagged", VpcId=other_vpc)
    down(session, spec)
    assert ec2.describe_vpcs(VpcIds=[other_vpc])["Vpcs"]
    assert ec2.describe_security_groups(GroupIds=[other_sg["GroupId"]])["SecurityGroups"]
