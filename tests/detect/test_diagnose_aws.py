"""`vpcflow diagnose --aws` on moto's server: the security groups, network ACLs, subnets and interfaces described
through boto3 name the rule that rejected the ingested records."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from tests.fixtures import moto_server as _plugin  # noqa: E402

from .records import rec, write  # noqa: E402

moto_server = _plugin.moto_server
aws_env = _plugin.aws_env
PEER = "203.0.113.12"


@pytest.fixture
def seeded(aws_env) -> dict:
    """A subnet whose network ACL denies ICMP out (rule 90), and an instance's ENI whose group allows only 443 in."""
    ec2 = aws_env.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    sg = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress, number, protocol, action in ((False, 100, "-1", "allow"), (True, 90, "1", "deny"),
                                             (True, 100, "-1", "allow")):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=number, Protocol=protocol, RuleAction=action,
                                     Egress=egress, CidrBlock="0.0.0.0/0",
                                     **({"IcmpTypeCode": {"Type": -1, "Code": -1}} if protocol == "1" else {}))
    current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    association = next(a["NetworkAclAssociationId"] for a in current["NetworkAcls"][0]["Associations"]
                       if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.1.10", Groups=[sg])
    return {"acl": acl, "sg": sg, "eni": eni["NetworkInterface"]["NetworkInterfaceId"], "ip": "10.0.1.10"}


def _diagnose(cli, tmp_path, aws_env, lines, *args):
    db = tmp_path / "v.duckdb"
    assert cli("ingest", str(write(tmp_path / "f.log", lines)), "--db", db, "--format", "default").code == 0
    result = cli("diagnose", "--db", db, "--aws", "--endpoint-url", aws_env.endpoint_url, "--region",
                 aws_env.region, "--output", "json", *args)
    assert result.code == 0, result.err
    return result.json()


def test_diagnose_aws_names_the_network_acl_rule_for_a_dropped_reply(cli, tmp_path, aws_env, seeded):
    lines = [rec(PEER, seeded["ip"], 0, 0, 1, 4, 336, 1767600000, eni=seeded["eni"]),
             rec(seeded["ip"], PEER, 0, 0, 1, 4, 336, 1767600000, action="REJECT", eni=seeded["eni"])]
    (row,) = _diagnose(cli, tmp_path, aws_env, lines)
    assert (row["verdict"], row["rule"], row["direction"]) == ("network-acl", f"{seeded['acl']} rule 90", "inbound")
    assert "add an outbound allow rule for icmp replies" in row["fix"]


def test_diagnose_aws_names_the_security_group_for_a_rejected_request(cli, tmp_path, aws_env, seeded):
    lines = [rec(PEER, seeded["ip"], 48000 + k, 3306, 6, 3, 180, 1767600000 + k, action="REJECT", eni=seeded["eni"])
             for k in range(2)]
    (row,) = _diagnose(cli, tmp_path, aws_env, lines)
    assert (row["verdict"], row["rule"], row["records"]) == ("security-group", f"{seeded['sg']} inbound", 2)
