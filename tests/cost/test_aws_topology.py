"""`--aws`: the account read from moto's server over HTTP gives cost what a topology file gives it: each subnet's
AZ and way to the internet, the NAT gateway's and interface endpoint's interfaces by their type, S3 through a
gateway endpoint and a VPC peered from another region.

moto answers `InterfaceType: interface` for the interfaces of the NAT gateways and endpoints it creates (AWS answers
`nat_gateway`, `vpc_endpoint`), and creates none for transit gateway attachments or load balancers: those types are
checked on `interface_kind` with the values EC2's API reference documents.
"""

from __future__ import annotations

import pytest

from tests.detect.records import rec, write
from vpcflow.aws.network import aws_topology
from vpcflow.aws.session import AwsSession, AwsSettings
from vpcflow.network.load import interface_kind

T = 1767600000
GB = 2**30


def _seed(aws_env) -> dict:
    """A public subnet with a NAT gateway, a private subnet in another AZ routing through it, an application's
    interface and an SQS interface endpoint in the private subnet."""
    ec2 = aws_env.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    public = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.1.0/24", AvailabilityZone="us-east-1a")["Subnet"]
    private = ec2.create_subnet(VpcId=vpc, CidrBlock="10.0.2.0/24", AvailabilityZone="us-east-1b")["Subnet"]
    igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    to_igw = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=to_igw, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    ec2.associate_route_table(RouteTableId=to_igw, SubnetId=public["SubnetId"])
    eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public["SubnetId"], AllocationId=eip)["NatGateway"]
    to_nat = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=to_nat, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat["NatGatewayId"])
    ec2.associate_route_table(RouteTableId=to_nat, SubnetId=private["SubnetId"])
    endpoint = ec2.create_vpc_endpoint(VpcId=vpc, ServiceName="com.amazonaws.us-east-1.sqs",
                                       VpcEndpointType="Interface", SubnetIds=[private["SubnetId"]])["VpcEndpoint"]
    app = ec2.create_network_interface(SubnetId=private["SubnetId"], PrivateIpAddress="10.0.2.10")
    enis = {n["NetworkInterfaceId"]: n for n in ec2.describe_network_interfaces()["NetworkInterfaces"]}
    nat_eni = nat["NatGatewayAddresses"][0]["NetworkInterfaceId"]
    endpoint_eni = endpoint["NetworkInterfaceIds"][0]
    return {"public": public, "private": private, "nat_eni": nat_eni, "endpoint_eni": endpoint_eni,
            "endpoint_ip": enis[endpoint_eni]["PrivateIpAddress"], "vpc": vpc,
            "app_eni": app["NetworkInterface"]["NetworkInterfaceId"],
            "moto_types": {enis[nat_eni]["InterfaceType"], enis[endpoint_eni]["InterfaceType"]}}


def _model(aws_env):
    return aws_topology(AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url)))


def test_the_nat_gateway_and_the_endpoint_are_known_by_their_type(aws_env):
    seeded = _seed(aws_env)
    model = _model(aws_env)
    kinds = {i.id: (i.kind, i.instance_id) for i in model.interfaces}
    assert kinds[seeded["nat_eni"]] == ("nat_gateway", None)
    assert kinds[seeded["endpoint_eni"]] == ("vpc_endpoint", None)
    assert kinds[seeded["app_eni"]] == ("instance", None)  # not attached to an instance: no made-up instance id
    assert seeded["moto_types"] == {"interface"}  # what moto says; the NAT gateway and endpoint calls tell


def test_subnets_carry_their_az_and_their_way_to_the_internet(aws_env):
    seeded = _seed(aws_env)
    model = _model(aws_env)
    public, private = (model.subnets[seeded[k]["SubnetId"]] for k in ("public", "private"))
    assert (public.az_id, private.az_id) == (seeded["public"]["AvailabilityZoneId"],
                                             seeded["private"]["AvailabilityZoneId"])
    assert public.az_id != private.az_id
    assert (public.public, public.nat_gateway) == (True, None)
    assert (private.public, private.nat_gateway) == (False, seeded["nat_eni"])
    assert private.vpc_id == seeded["vpc"] and model.region == aws_env.region


@pytest.mark.parametrize(("aws_type", "kind"), [
    ("nat_gateway", "nat_gateway"), ("natGateway", "nat_gateway"), ("vpc_endpoint", "vpc_endpoint"),
    ("gateway_load_balancer_endpoint", "vpc_endpoint"), ("transit_gateway", "transit_gateway"),
    ("network_load_balancer", "network_load_balancer"), ("interface", "instance"), ("lambda", "instance"),
    ("load_balancer", "instance"), ("efa", "instance"), ("trunk", "instance"), (None, "instance")])
def test_documented_interface_types_map_to_the_records_spelling(aws_type, kind):
    assert interface_kind(aws_type) == kind


def test_cost_aws_places_the_nat_gateway_and_endpoint_bytes(cli, tmp_path, aws_env):
    seeded = _seed(aws_env)
    eni = seeded["app_eni"]
    lines = [rec("10.0.2.10", "198.51.100.7", 40000, 443, 6, 900, GB, T, eni=eni),
             rec("198.51.100.7", "10.0.2.10", 443, 40000, 6, 300, GB // 4, T, eni=eni),
             rec("10.0.2.10", seeded["endpoint_ip"], 40001, 443, 6, 100, GB // 2, T, eni=eni)]
    db = tmp_path / "v.duckdb"
    assert cli("ingest", str(write(tmp_path / "f.log", lines)), "--db", db, "--format", "default").code == 0
    alone = cli("cost", "--db", db, "-o", "json")
    assert {r["path"] for r in alone.json()} == {"unknown"}
    result = cli("cost", "--db", db, "--aws", "--endpoint-url", aws_env.endpoint_url, "--region", aws_env.region,
                 "-o", "json")
    assert result.code == 0, result.err
    assert {r["path"]: r["bytes"] for r in result.json()} == {"nat-gateway": GB + GB // 4,
                                                              "interface-endpoint": GB // 2}


def test_cost_aws_sees_the_nat_gateway_in_another_az(cli, tmp_path, aws_env):
    seeded = _seed(aws_env)
    lines = [rec("10.0.2.10", "198.51.100.7", 40000, 443, 6, 900, GB, T, eni=seeded["app_eni"])]
    db = tmp_path / "v.duckdb"
    assert cli("ingest", str(write(tmp_path / "f.log", lines)), "--db", db, "--format", "default").code == 0
    result = cli("cost", "--db", db, "--what-if", "--aws", "--endpoint-url", aws_env.endpoint_url, "--region",
                 aws_env.region, "-o", "json")
    assert result.code == 0, result.err
    per_az = next(r for r in result.json() if r["what_if"].startswith("a NAT gateway in each"))
    assert per_az["bytes"] == GB and per_az["usd_saved"] > 0


def _reach_s3_and_a_peer(aws_env, seeded) -> None:
    """An S3 gateway endpoint on the private subnet's route table, and a VPC in us-west-2 peered with this one."""
    ec2 = aws_env.client("ec2")
    table = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id",
                                                "Values": [seeded["private"]["SubnetId"]]}])["RouteTables"][0]
    ec2.create_vpc_endpoint(VpcId=seeded["vpc"], ServiceName="com.amazonaws.us-east-1.s3", VpcEndpointType="Gateway",
                            RouteTableIds=[table["RouteTableId"]])
    west = aws_env.boto_session().client("ec2", region_name="us-west-2", endpoint_url=aws_env.endpoint_url)
    far = west.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
    pcx = ec2.create_vpc_peering_connection(VpcId=seeded["vpc"], PeerVpcId=far, PeerRegion="us-west-2")
    pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    west.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="10.1.0.0/16",
                     VpcPeeringConnectionId=pcx_id)


def test_gateway_endpoints_and_peered_vpcs_become_peers(aws_env):
    seeded = _seed(aws_env)
    _reach_s3_and_a_peer(aws_env, seeded)
    peers = _model(aws_env).peers.values()
    s3 = [p for p in peers if p.via == "gateway-endpoint"]
    assert s3 and {p.service for p in s3} == {"S3"} and {p.vpc_id for p in s3} == {seeded["vpc"]}
    peered = [p for p in peers if p.via == "peering"]
    assert [(str(p.cidr), p.region) for p in peered] == [("10.1.0.0/16", "us-west-2")]


def test_cost_aws_places_s3_through_the_endpoint_and_the_peer_in_another_region(cli, tmp_path, aws_env):
    seeded = _seed(aws_env)
    _reach_s3_and_a_peer(aws_env, seeded)
    s3 = next(p for p in _model(aws_env).peers.values() if p.via == "gateway-endpoint").ips[0]
    eni = seeded["app_eni"]
    lines = [rec("10.0.2.10", s3, 40000, 443, 6, 900, GB, T, eni=eni),
             rec("10.0.2.10", "10.1.0.20", 40001, 5432, 6, 100, GB // 2, T, eni=eni)]
    db = tmp_path / "v.duckdb"
    assert cli("ingest", str(write(tmp_path / "f.log", lines)), "--db", db, "--format", "default").code == 0
    result = cli("cost", "--db", db, "--aws", "--endpoint-url", aws_env.endpoint_url, "--region", aws_env.region,
                 "-o", "json")
    assert result.code == 0, result.err
    assert {r["path"]: r["bytes"] for r in result.json()} == {"gateway-endpoint": GB, "inter-region": GB // 2}
