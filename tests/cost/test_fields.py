"""Paths from the records' own fields alone, on hand-written records: the paths the emulator does not make."""

from __future__ import annotations

import pytest

from vpcflow.cost import cost, use_network
from vpcflow.engines import DuckDBEngine
from vpcflow.enrich.ipranges import load_ip_ranges

FORMAT = ("${version} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} "
          "${start} ${end} ${action} ${log-status} ${vpc-id} ${az-id} ${flow-direction} ${traffic-path} "
          "${interface-type} ${next-hop-interface-type} ${region}")
A = "11 eni-0aaaaaaaaaaaaaaa1 10.0.1.10 {dst} 40000 443 6 10 {n} 1767571200 1767571260 ACCEPT OK vpc-0a use1-az1 egress"


def _line(dst: str, n: int, path: int, next_hop: str = "-") -> str:
    return A.format(dst=dst, n=n) + f" {path} - {next_hop} us-east-1"


@pytest.fixture
def paths(store, tmp_path):
    lines = [_line("10.50.0.5", 1000, 1, "transit_gateway"),  # to another VPC through the transit gateway
             _line("10.60.0.5", 2000, 5),  # inter-region peering
             _line("52.216.1.1", 3000, 8),  # an S3 address (AWS's ranges) through the internet gateway
             _line("198.51.100.9", 4000, 8),  # the internet
             _line("10.0.9.9", 5000, 1)]  # an address of the VPC that no record and no topology places
    path = tmp_path / "records.log"
    path.write_text("\n".join(lines) + "\n")
    store.ingest(path, format=FORMAT)
    engine = DuckDBEngine(store)
    use_network(engine, None, load_ip_ranges())
    return {r["path"]: r["bytes"] for r in cost(engine, "path").rows}


def test_a_next_hop_of_type_transit_gateway_is_the_transit_gateway_path(paths):
    assert paths["transit-gateway"] == 1000


def test_traffic_path_5_is_inter_region(paths):
    assert paths["inter-region"] == 2000


def test_a_service_address_through_the_internet_gateway_is_aws_service(paths):
    assert paths["aws-service"] == 3000


def test_any_other_public_address_is_internet_egress(paths):
    assert paths["internet-egress"] == 4000


def test_a_private_peer_no_one_places_is_unknown_not_guessed(paths):
    assert paths["unknown"] == 5000
