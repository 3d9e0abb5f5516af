"""`vpcflow.enrich.load_aws_interfaces` types the account's interfaces as `--aws` does, so the detections that
skip a NAT gateway's second copy of its clients' traffic know the NAT gateway from the account alone."""

from __future__ import annotations

import duckdb

from tests.cost.test_aws_topology import _seed
from vpcflow.aws.network import describe_network
from vpcflow.aws.session import AwsSession, AwsSettings
from vpcflow.enrich import load_aws_interfaces
from vpcflow.enrich.interfaces import load_described_interfaces


def test_the_nat_gateway_and_the_endpoint_are_typed_in_the_enrichment_table(aws_env, tmp_path):
    seeded = _seed(aws_env)
    con = duckdb.connect(str(tmp_path / "v.duckdb"))
    count = load_aws_interfaces(con, AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url)))
    rows = dict(con.execute("SELECT interface_id, resource_type FROM enrich_interfaces").fetchall())
    assert count == len(rows) >= 3
    assert rows[seeded["nat_eni"]] == "nat_gateway"  # moto says InterfaceType 'interface'; its NAT gateway says
    assert rows[seeded["endpoint_eni"]] == "vpc_endpoint"
    assert rows[seeded["app_eni"]] == "instance"


def test_every_row_names_its_subnet_and_vpc(aws_env, tmp_path):
    seeded = _seed(aws_env)
    con = duckdb.connect(str(tmp_path / "v.duckdb"))
    load_aws_interfaces(con, AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url)))
    subnet, vpc, source = con.execute("SELECT subnet_id, vpc_id, source FROM enrich_interfaces WHERE interface_id = ?",
                                      [seeded["app_eni"]]).fetchone()
    assert (subnet, vpc, source) == (seeded["private"]["SubnetId"], seeded["vpc"], "aws")


def test_an_ordinary_interface_keeps_its_own_type(aws_env, tmp_path):
    seeded = _seed(aws_env)
    described = describe_network(AwsSession(AwsSettings(region=aws_env.region, endpoint_url=aws_env.endpoint_url)))
    for eni in described["NetworkInterfaces"]:  # what AWS answers for a function's interface (moto cannot make one)
        if eni["NetworkInterfaceId"] == seeded["app_eni"]:
            eni["InterfaceType"] = "lambda"
    con = duckdb.connect(str(tmp_path / "v.duckdb"))
    load_described_interfaces(con, described)
    rows = dict(con.execute("SELECT interface_id, resource_type FROM enrich_interfaces").fetchall())
    assert rows[seeded["app_eni"]] == "lambda"
    assert rows[seeded["nat_eni"]] == "nat_gateway"
