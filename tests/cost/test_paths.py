"""Per-path bytes from the records equal the emulator's truth, each byte once, for every format it writes."""

from __future__ import annotations

import pytest

from vpcflow.cost import cost, use_network
from vpcflow.engines import DuckDBEngine
from vpcflow.enrich.ipranges import load_ip_ranges
from vpcflow.network import load_topology
from vpcflow.store import Store


def _by_path(db, *, topology: bool) -> tuple[dict, object]:
    with Store(db, read_only=True) as store:
        engine = DuckDBEngine(store)
        use_network(engine, load_topology("cost-demo") if topology else None, load_ip_ranges())
        result = cost(engine, "path")
    return {r["path"]: r["bytes"] for r in result.rows}, result


@pytest.mark.parametrize("seed", [7, 11])
def test_default_format_with_the_topology_matches_the_truth(emulated, seed):
    db, truth = emulated("default", seed)
    got, result = _by_path(db, topology=True)
    assert got == truth
    assert result.unknown_bytes == 0


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


def test_every_path_of_the_scenario_is_seen(emulated):
    _, truth = emulated("default")
    assert set(truth) == {"intra-az", "inter-az", "nat-gateway", "internet-egress", "internet-ingress",
                          "gateway-endpoint", "interface-endpoint", "vpc-peering"}


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
