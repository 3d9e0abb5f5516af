"""What-ifs on cost-demo: its workers (use1-az2) reach S3 through the one NAT gateway (use1-az1), and its API
(use1-az1) reads a database in use1-az2."""

from __future__ import annotations

import pytest

from vpcflow.cost import cost_rows, use_network, what_ifs
from vpcflow.cost.prices import BYTES_PER_GB, PRICES
from vpcflow.engines import DuckDBEngine
from vpcflow.enrich.ipranges import load_ip_ranges
from vpcflow.network import load_topology
from vpcflow.store import Store

P = PRICES["us-east-1"]


@pytest.fixture
def demo(emulated):
    db, truth = emulated("default")
    with Store(db, read_only=True) as store:
        engine = DuckDBEngine(store)
        use_network(engine, load_topology("cost-demo"), load_ip_ranges())
        yield engine, truth


def _what_if(engine, start: str) -> dict:
    return next(w for w in what_ifs(engine) if w["what_if"].startswith(start))


def test_gateway_endpoints_save_nat_processing_and_the_cross_az_hop_on_s3(demo):
    engine, _ = demo
    s3 = sum(r["bytes"] for r in cost_rows(engine, "path")
             if r["billed"] and r["path"] == "nat-gateway" and r["service"] == "S3")
    w = _what_if(engine, "gateway endpoints")
    assert w["bytes"] == s3 > 0
    assert w["usd_saved"] == pytest.approx(s3 / BYTES_PER_GB * (P.nat_gateway_per_gb + P.cross_az_per_gb), abs=1e-4)


def test_a_nat_per_az_saves_the_cross_az_charge_on_all_nat_traffic_from_the_other_az(demo):
    engine, truth = demo
    w = _what_if(engine, "a NAT gateway in each")
    assert w["bytes"] == truth["nat-gateway"]  # every NAT client of cost-demo is in use1-az2
    assert w["usd_saved"] == pytest.approx(truth["nat-gateway"] / BYTES_PER_GB * P.cross_az_per_gb, abs=1e-4)
    assert w["adds_monthly_usd"] == pytest.approx(P.nat_gateway_per_hour * 24 * 365 / 12, abs=0.01)


def test_keeping_the_chatty_pairs_in_one_az_moves_the_inter_az_bytes(demo):
    engine, truth = demo
    w = _what_if(engine, "the ")
    assert w["bytes"] == truth["inter-az"]  # two API servers and the database: two pairs
    assert w["detail"].count("bytes") == 2


def test_monthly_savings_scale_the_period_to_a_month(demo):
    engine, _ = demo
    w = _what_if(engine, "gateway endpoints")
    assert w["monthly_usd_saved"] == pytest.approx(w["usd_saved"] * (365 / 12) / (2 / 24), rel=0.01)
