"""The configuration read from moto's server over HTTP: groups naming groups, prefix lists, ACL entries and
their subnet associations become the network model `rules audit --aws` judges the records against."""

from __future__ import annotations

from tests.detect.records import rec, write
from vpcflow.aws.network import aws_topology
from vpcflow.aws.session import AwsSession, AwsSettings

T = 1767600000


def _seed(aws_env) -> dict:
    ec2 = aws_env.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24")["Subnet"]["SubnetId"]
    web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
    app = ec2.create_security_group(GroupName="app", Description="app", VpcId=vpc)["GroupId"]
    plist = ec2.create_managed_prefix_list(PrefixListName="offices", MaxEntries=5, AddressFamily="IPv4",
                                           Entries=[{"Cidr": "198.51.100.0/24"}])["PrefixList"]["PrefixListId"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": web}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "PrefixListIds": [{"PrefixListId": plist}]}])
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for egress, number, action in ((False, 100, "allow"), (False, 90, "deny"), (True, 100, "allow")):
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=number, Protocol="-1", RuleAction=action,
                                     Egress=egress, CidrBlock="203.0.113.0/24" if number == 90 else "0.0.0.0/0")
    current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])
    association = next(a["NetworkAclAssociationId"] for a in current["NetworkAcls"][0]["Associations"]
                       if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    web_eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.1.10", Groups=[web])
    app_eni = ec2.create_network_interface(SubnetId=subnet, PrivateIpAddress="10.0.1.20", Groups=[app])
    return {"web": web, "app": app, "plist": plist, "acl": acl,
            "app_eni": app_eni["NetworkInterface"]["NetworkInterfaceId"],
            "web_eni": web_eni["NetworkInterface"]["NetworkInterfaceId"]}


def test_the_account_is_read_into_the_model(aws_env):
    seeded = _seed(aws_env)
    model = aws_topology(AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url)))
    app = next(g for g in model.groups.values() if g.id == seeded["app"])
    by_port = {r.low: r for r in app.inbound}
    assert by_port[8080].group == seeded["web"] and by_port[8080].id.startswith("sgr-")
    assert by_port[22].prefix_list == seeded["plist"] and [str(c) for c in by_port[22].prefixes] == ["198.51.100.0/24"]
    iface = next(i for i in model.interfaces if i.id == seeded["app_eni"])
    assert iface.subnet.acl.id == seeded["acl"]
    assert [(r.number, r.allow) for r in iface.subnet.acl.inbound] == [(90, False), (100, True)]


def test_rules_audit_aws_counts_a_group_reference_and_a_prefix_list(cli, tmp_path, aws_env):
    seeded = _seed(aws_env)
    lines = [rec("10.0.1.10", "10.0.1.20", 40000, 8080, 6, 5, 500, T, eni=seeded["app_eni"]),
             rec("10.0.1.20", "10.0.1.10", 8080, 40000, 6, 5, 500, T, eni=seeded["app_eni"]),
             rec("198.51.100.9", "10.0.1.20", 50000, 22, 6, 5, 500, T, eni=seeded["app_eni"])]
    db = tmp_path / "v.duckdb"
    assert cli("ingest", str(write(tmp_path / "f.log", lines)), "--db", db, "--format", "default").code == 0
    result = cli("rules", "audit", "--db", db, "--aws", "--endpoint-url", aws_env.endpoint_url, "--region",
                 aws_env.region, "--output", "json")
    assert result.code == 0, result.err
    app = {r["ports"]: r for r in result.json() if r["id"] == seeded["app"]}
    assert (app["8080"]["peer"], app["8080"]["flows"], app["8080"]["status"]) == (seeded["web"], 1, "used")
    assert (app["22"]["peer"], app["22"]["flows"]) == (seeded["plist"], 1)
    acl = {(r["direction"], r["rule"]): r for r in result.json() if r["id"] == seeded["acl"]}
    assert acl[("inbound", 100)]["flows"] == 1  # the prefix-list peer crosses the subnet; web does not
