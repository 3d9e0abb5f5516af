"""Per-path bytes from the records equal the emulator's truth, each byte once, for every format it writes."""

from __future__ import annotations

import pytest

from vpcflow.cost import cost, use_network
from vpcflow.engines import DuckDBEngine
from vpcflow.enrich.ipranges import load_ip_ranges
from vpcflow.network import load_topology
from vpcflow.store import Store


def _by_path(db, *, topology: bool, ip_ranges: bool = True) -> tuple[dict, object]:
    with Store(db, read_only=True) as store:
        engine = DuckDBEngine(store)
        use_network(engine, load_topology("cost-demo") if topology else None, load_ip_ranges() if ip_ranges else [])
        result = cost(engine, "path")
    return {r["path"]: r["bytes"] for r in result.rows}, result


@pytest.mark.parametrize("seed", [7, 11])
def test_default_format_with_the_topology_matches_the_truth(emulated, seed):
    db, truth = emulated("default", seed)
    got, result = _by_path(db, topology=True)
    assert got == truth
    assert result.unknown_bytes == 0


@pytest.mark.parametrize("log_format", ["v3", "v4", "v5", "all"])
def test_every_wider_format_with_the_topology_matches_the_truth(emulated, log_format):
    db, truth = emulated(log_format)
    got, _ = _by_path(db, topology=True)
    assert got == truth


@pytest.mark.parametrize("seed", [7, 11])
def test_v11_records_alone_match_the_truth(emulated, seed):
    db, truth = emulated("all", seed)
    got, _ = _by_path(db, topology=False)
    assert got == truth


@pytest.mark.parametrize("log_format", ["v5", "v8"])
def test_v5_records_alone_match_the_truth_but_cannot_name_an_interface_endpoint(emulated, log_format):
    db, truth = emulated(log_format)
    got, _ = _by_path(db, topology=False)
    endpoint = truth.pop("interface-endpoint")  # without v11's interface-type nothing says the ENI is an endpoint
    assert "interface-endpoint" not in got
    assert got.pop("inter-az") + got.pop("intra-az", 0) == truth.pop("inter-az") + truth.pop("intra-az", 0) + endpoint
    assert got == truth


@pytest.mark.parametrize("log_format", ["v5", "all"])
def test_v5_service_names_place_aws_service_bytes_without_aws_published_ranges(emulated, log_format):
    db, truth = emulated(log_format)
    got, _ = _by_path(db, topology=False, ip_ranges=False)
    assert got["aws-service"] == truth["aws-service"] > 0  # S3 straight through the internet gateway


def test_the_records_name_s3_and_dynamodb_in_pkt_aws_service(emulated):
    db, _ = emulated("v5")
    with Store(db, read_only=True) as store:
        named = store.con.execute("SELECT DISTINCT coalesce(pkt_src_aws_service, pkt_dst_aws_service) FROM flows "
                                  "WHERE coalesce(pkt_src_aws_service, pkt_dst_aws_service) IS NOT NULL").fetchall()
    assert sorted(v for (v,) in named) == ["DYNAMODB", "S3"]


def test_transit_gateway_attachments_write_their_interface_type_in_v11(emulated):
    db, _ = emulated("all")
    with Store(db, read_only=True) as store:
        types = store.con.execute("SELECT DISTINCT interface_type FROM flows WHERE interface_type IS NOT NULL"
                                  ).fetchall()
    assert "transit_gateway" in {t for (t,) in types}


def test_every_path_of_the_scenario_is_seen(emulated):
    _, truth = emulated("default")
    assert set(truth) == {"intra-az", "inter-az", "nat-gateway", "internet-egress", "internet-ingress",
                          "gateway-endpoint", "interface-endpoint", "vpc-peering", "transit-gateway", "aws-service"}


def test_records_without_direction_or_topology_are_unknown_and_said(emulated):
    db, _ = emulated("default")
    got, result = _by_path(db, topology=False)
    assert set(got) == {"unknown"}
    assert result.unknown_bytes == got["unknown"] > 0
    assert "no known path" in result.notes()[0]


def test_both_ends_and_the_nat_copy_are_counted_once(emulated):
    db, truth = emulated("all")
    _, result = _by_path(db, topology=False)
    logged = sum(r["bytes"] for r in result.raw)
    assert result.duplicate_bytes > 0
    assert logged - result.duplicate_bytes - result.rejected_bytes == sum(truth.values())


def test_rejected_records_bill_nothing(emulated):
    db, truth = emulated("all", scenario="seed-demo")  # a port scan and blocked pings: REJECT records
    got, result = _by_path(db, topology=False)
    assert result.rejected_bytes > 0
    assert got == truth
